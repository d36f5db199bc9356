"""Contract double of faster-whisper 1.2: WhisperModel.transcribe over a scripted transcript."""
import collections
import json
import os
import wave

Word = collections.namedtuple("Word", "start end word probability")
Segment = collections.namedtuple("Segment", "id seek start end text tokens avg_logprob compression_ratio no_speech_prob words temperature")
TranscriptionInfo = collections.namedtuple("TranscriptionInfo", "language language_probability duration")


class WhisperModel:
    def __init__(self, model_size_or_path, device="auto", compute_type="default", **kwargs):
        if not os.path.isfile(os.path.join(model_size_or_path, "model.bin")):
            raise RuntimeError("contract double: %s is not a model folder (HF_HUB_OFFLINE=1 forbids a download)" % model_size_or_path)
        with open(os.path.join(model_size_or_path, "contract_transcript.json")) as script:
            self._script = json.load(script)
        self.device, self.compute_type = device, compute_type

    def transcribe(self, audio, language=None, beam_size=5, vad_filter=False, word_timestamps=False, **kwargs):
        if isinstance(audio, str):  # the real library takes a path (decoded with PyAV) or 16 kHz samples
            with wave.open(audio, "rb") as reader:
                duration = reader.getnframes() / float(reader.getframerate())
        else:
            duration = len(audio) / 16000.0

        def segments():
            for index, piece in enumerate(self._script["segments"]):
                words = [Word(w["start"], w["end"], w["word"], 0.9) for w in piece["words"]] if word_timestamps else None
                yield Segment(index, 0, piece["words"][0]["start"], piece["words"][-1]["end"],
                              "".join(w["word"] for w in piece["words"]), [], -0.2, 1.2, 0.01, words, 0.0)

        return segments(), TranscriptionInfo(language or self._script["language"], 0.98, duration)
