"""Contract double of webrtcvad: frame checks as in the C library, an energy decision."""
import array
import math


class Vad:
    def __init__(self, mode=None):
        self._mode = 0
        if mode is not None:
            self.set_mode(mode)

    def set_mode(self, mode):
        if mode not in (0, 1, 2, 3):
            raise ValueError("mode must be 0, 1, 2 or 3")
        self._mode = mode

    def is_speech(self, buf, sample_rate, length=None):
        if sample_rate not in (8000, 16000, 32000, 48000):
            raise ValueError("Invalid sample rate")
        if len(buf) not in (sample_rate // 100 * 2, sample_rate // 50 * 2, sample_rate * 3 // 100 * 2):
            raise Exception("Error while processing frame")
        samples = array.array("h", bytes(buf))
        rms = math.sqrt(sum(s * s for s in samples) / len(samples))
        return rms > 300 * (1 + self._mode)
