"""Contract double of pyannote.audio 4: Pipeline.from_pretrained(folder) and calling it on an
in-memory waveform. The turns are scripted in the folder's contract_turns.json."""
import collections
import json
import os

Segment = collections.namedtuple("Segment", "start end")
DiarizeOutput = collections.namedtuple("DiarizeOutput", "speaker_diarization exclusive_speaker_diarization")

__version__ = "4.0.0+contract"


class Annotation:
    def __init__(self, turns):
        self._turns = turns

    def itertracks(self, yield_label=False):
        for index, (start, end, label) in enumerate(self._turns):
            yield (Segment(start, end), "track%d" % index, label) if yield_label else (Segment(start, end), "track%d" % index)


class Pipeline:
    def __init__(self, turns):
        self._turns = turns
        self.calls = []

    @classmethod
    def from_pretrained(cls, checkpoint, token=None, cache_dir=None):
        config = os.path.join(checkpoint, "config.yaml")
        if not os.path.isfile(config):  # the real pyannote.audio 4 raises here for a folder without its config
            raise FileNotFoundError("[Errno 2] No such file or directory: %r" % config)
        if os.path.getsize(config) == 0:
            return None  # as pyannote does when the config names nothing it can load
        with open(os.path.join(checkpoint, "contract_turns.json")) as script:
            return cls([tuple(turn) for turn in json.load(script)])

    def __call__(self, file, num_speakers=None, min_speakers=None, max_speakers=None):
        if not isinstance(file, dict) or set(file) != {"waveform", "sample_rate"}:
            raise ValueError("contract: the runner passes {'waveform', 'sample_rate'}")
        if len(file["waveform"].shape) != 2 or file["waveform"].shape[0] != 1 or file["sample_rate"] != 16000:
            raise ValueError("contract: waveform must be (channel=1, samples) at 16 kHz")
        turns = self._turns
        if num_speakers is not None:
            labels = sorted({label for _, _, label in turns})[:num_speakers]
            turns = [turn for turn in turns if turn[2] in labels]
        return DiarizeOutput(Annotation(turns), Annotation(turns))
