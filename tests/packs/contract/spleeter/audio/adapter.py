"""Contract double of spleeter.audio.adapter: decoding and encoding through the ffmpeg program,
as spleeter's FFMPEGProcessAudioAdapter does."""
import subprocess

import numpy


class AudioAdapter:
    @staticmethod
    def default():
        return AudioAdapter()

    def load(self, path, offset=None, duration=None, sample_rate=None, dtype=numpy.float32):
        argv = ["ffmpeg", "-v", "error", "-nostdin"]
        if offset:
            argv += ["-ss", "%.6f" % offset]
        if duration:
            argv += ["-t", "%.6f" % duration]
        argv += ["-i", str(path), "-f", "f32le", "-ac", "2"]
        if sample_rate:
            argv += ["-ar", str(int(sample_rate))]
        argv += ["-"]
        raw = subprocess.run(argv, check=True, stdout=subprocess.PIPE).stdout
        return numpy.frombuffer(raw, dtype="<f4").reshape(-1, 2).astype(dtype), sample_rate

    def save(self, path, data, sample_rate, codec=None, bitrate=None):
        if not str(path).endswith(".wav"):
            raise ValueError("contract: ffmpeg picks the format from the extension; got %s" % path)
        data = numpy.ascontiguousarray(data, dtype="<f4")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ac", str(data.shape[1]), "-ar", str(int(sample_rate)),
                        "-i", "-", "-c:a", "pcm_s16le", str(path)], input=data.tobytes(), check=True)
