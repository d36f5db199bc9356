"""Contract double of resemblyzer 0.1.4: VoiceEncoder.embed_utterance (see ../README.md)."""
import numpy

__version__ = "0.1.4+contract"


class VoiceEncoder:
    def __init__(self, device=None, verbose=True, weights_fpath=None):
        self.device = device

    def embed_utterance(self, wav, return_partials=False, rate=1.3, min_coverage=0.75):
        wav = numpy.asarray(wav)
        if wav.ndim != 1 or wav.dtype != numpy.float32:
            raise ValueError("contract: embed_utterance takes a 1-D float32 waveform")
        if wav.size and float(numpy.max(numpy.abs(wav))) > 1.0:
            raise ValueError("contract: samples must be within [-1, 1]")
        frame = 400
        if wav.size < frame:
            wav = numpy.pad(wav, (0, frame - wav.size))
        frames = wav[: wav.size // frame * frame].reshape(-1, frame) * numpy.hanning(frame)
        power = (numpy.abs(numpy.fft.rfft(frames, axis=1)) ** 2).mean(axis=0)[1:]
        bands = numpy.log(numpy.array([band.sum() for band in numpy.array_split(power, 256)]) + 1e-9)
        embedding = bands - bands.mean()
        embedding = (embedding / (numpy.linalg.norm(embedding) or 1.0)).astype(numpy.float32)
        if return_partials:
            return embedding, embedding[None, :], [slice(0, wav.size)]
        return embedding
