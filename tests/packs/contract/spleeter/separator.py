"""Contract double of spleeter.separator: the calls the spleeter runner makes."""
import os

import numpy

# Fixed gains per stem: the double splits the input into parts that sum back to it.
STEMS = {
    2: {"vocals": 0.75, "accompaniment": 0.25},
    4: {"vocals": 0.5, "drums": 0.2, "bass": 0.2, "other": 0.1},
    5: {"vocals": 0.4, "drums": 0.2, "bass": 0.2, "piano": 0.1, "other": 0.1},
}


class Separator:
    def __init__(self, params_descriptor, MWF=False, multiprocess=True):
        if not params_descriptor.startswith("spleeter:") or not params_descriptor.endswith("stems"):
            raise ValueError("unknown model %s" % params_descriptor)
        self._stems = int(params_descriptor[len("spleeter:"):-len("stems")])
        if self._stems not in STEMS:
            raise ValueError("unknown model %s" % params_descriptor)
        probe = os.path.join(os.environ.get("MODEL_PATH", "pretrained_models"), "%dstems" % self._stems, ".probe")
        if not os.path.isfile(probe):  # the real provider would start a download here
            raise RuntimeError("contract double: model not provisioned (%s); spleeter would download it" % probe)
        if multiprocess:
            raise AssertionError("contract: the runner must turn multiprocessing off")
        self._mwf = MWF

    def separate(self, waveform, audio_descriptor=""):
        if not isinstance(waveform, numpy.ndarray) or waveform.ndim != 2 or waveform.shape[1] != 2:
            raise ValueError("waveform must be a (samples, 2) array")
        if waveform.dtype != numpy.float32:
            raise ValueError("waveform must be float32")
        return {name: (waveform * gain).astype(numpy.float32) for name, gain in STEMS[self._stems].items()}
