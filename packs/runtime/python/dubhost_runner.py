"""The runner side of dubhost's pack runner protocol, version 1.

A pack plugin starts ``<venv>/bin/python -u runner.py`` with the job document on stdin and reads
JSON lines from file descriptor 3 (``DUBHOST_RUNNER_FD``): progress, log, result, error. stdout and
stderr are not part of the protocol (libraries print there); the plugin appends them to the job log.

A runner is a function ``handle(job, channel) -> dict`` passed to :func:`main`. It reports with
``channel.progress`` and ``channel.log``, refuses bad input by raising :class:`RunnerError` (kind
"bad-request" for the user's mistakes), and writes every output through :func:`atomic_output`, so a
cancelled or crashed job leaves no half-written file behind.

Only the Python standard library is used here: this file runs in every pack's venv.
"""

import contextlib
import json
import os
import signal
import struct
import sys
import traceback

PROTOCOL = 1


class RunnerError(Exception):
    """A failure the user can act on: ``hint`` says what to do."""

    def __init__(self, code, message, hint="", kind="error"):
        super().__init__(message)
        self.code = code
        self.hint = hint
        self.kind = kind


class Cancelled(BaseException):
    """Raised in the runner when the plugin terminates it (SIGTERM)."""


def bad_request(code, message, hint=""):
    return RunnerError(code, message, hint, kind="bad-request")


def pack_id():
    return os.environ.get("DUBHOST_PACK_ID", "this")


def reinstall_hint():
    return "reinstall the pack: dubhost pack install %s --force" % pack_id()


class Channel:
    """The protocol pipe: one JSON object per line, each with the protocol version."""

    def __init__(self, fd=None):
        fd = int(os.environ.get("DUBHOST_RUNNER_FD", "3")) if fd is None else fd
        self._stream = os.fdopen(fd, "w", encoding="utf-8", closefd=False)

    def send(self, message_type, **fields):
        message = {"protocol": PROTOCOL, "type": message_type}
        message.update(fields)
        self._stream.write(json.dumps(message, ensure_ascii=False) + "\n")
        self._stream.flush()

    def progress(self, fraction, message=""):
        self.send("progress", fraction=max(0.0, min(1.0, float(fraction))), message=message)

    def log(self, message, level="info"):
        self.send("log", level=level, message=message)


@contextlib.contextmanager
def atomic_output(path):
    """Yields ``path + '.part'`` to write; renames it over ``path`` only if the block succeeds."""
    part = str(path) + ".part"
    os.makedirs(os.path.dirname(os.path.abspath(part)), exist_ok=True)
    try:
        yield part
        os.replace(part, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(part)
        raise


def write_json(path, document):
    with atomic_output(path) as part:
        with open(part, "w", encoding="utf-8") as out:
            json.dump(document, out, indent=2, ensure_ascii=False)


def wav_info(path):
    """(sample_rate, channels, seconds) of a RIFF/WAVE file, PCM or float (the wave module reads only PCM)."""
    with open(path, "rb") as data:
        header = data.read(12)
        if len(header) < 12 or header[:4] != b"RIFF" or header[8:12] != b"WAVE":
            raise RunnerError("bad-input", "%s is not a WAV file" % path, "run the extract stage again: dubhost run extract ITEM --force")
        rate = channels = byte_rate = None
        while True:
            chunk = data.read(8)
            if len(chunk) < 8:
                break
            size = struct.unpack("<I", chunk[4:8])[0]
            if chunk[:4] == b"fmt ":
                fmt = data.read(size + (size & 1))
                channels, rate, byte_rate = struct.unpack("<HII", fmt[2:12])
                continue
            if chunk[:4] == b"data" and byte_rate:
                if size in (0, 0xFFFFFFFF):  # written by a streaming writer that never came back to the header
                    size = os.path.getsize(path) - data.tell()
                return rate, channels, size / float(byte_rate)
            data.seek(size + (size & 1), os.SEEK_CUR)
    raise RunnerError("bad-input", "%s has no audio data" % path, "run the extract stage again: dubhost run extract ITEM --force")


def speech_16k_frames(path):
    """The PCM frames of the extract stage's speech_16k.wav (16 kHz mono 16-bit little-endian), as bytes."""
    import wave

    with wave.open(path, "rb") as reader:
        if reader.getframerate() != 16000 or reader.getnchannels() != 1 or reader.getsampwidth() != 2:
            raise RunnerError("bad-input", "%s is not 16 kHz mono 16-bit audio" % path,
                              "run the extract stage again: dubhost run extract ITEM --force")
        return reader.readframes(reader.getnframes())


def wav_duration_ms(path):
    return int(round(wav_info(path)[2] * 1000.0))


def param(job, name, default, kind, low=None, high=None):
    """A job parameter of type ``kind`` within [low, high], or a bad-request error naming it."""
    value = job.get("params", {}).get(name, default)
    accepted = (int, float) if kind is float else kind
    if (isinstance(value, bool) and kind is not bool) or not isinstance(value, accepted):
        described = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(kind, kind.__name__)
        raise bad_request("bad-parameter", "%s must be %s, not %r" % (name, described, value),
                          "pass --param %s=%s" % (name, default))
    if (low is not None and value < low) or (high is not None and value > high):
        raise bad_request("bad-parameter", "%s must be between %s and %s (got %s)" % (name, low, high, value),
                          "pass --param %s=%s" % (name, default))
    return kind(value)


def _terminate(signum, frame):
    raise Cancelled()


def main(handle):
    """Runs ``handle(job, channel)`` for the job on stdin and reports its outcome. Returns the exit code."""
    channel = Channel()
    signal.signal(signal.SIGTERM, _terminate)
    try:
        job = json.load(sys.stdin)
        if not isinstance(job, dict):
            raise ValueError("the job document is not a JSON object")
    except ValueError as error:
        channel.send("error", kind="bad-request", code="bad-job", message="the job document is unreadable: %s" % error,
                     hint="run the job through dubhost, which writes the document")
        return 2
    try:
        result = handle(job, channel)
    except RunnerError as error:
        channel.send("error", kind=error.kind, code=error.code, message=str(error), hint=error.hint)
        return 1
    except Cancelled:
        return 143
    except ImportError as error:
        traceback.print_exc()
        channel.send("error", kind="not-installed", code="import-failed",
                     message="the %s pack cannot import %s: %s" % (pack_id(), error.name or "a module", error),
                     hint=reinstall_hint())
        return 1
    except Exception as error:  # the job fails with the reason; the traceback goes to the job log
        traceback.print_exc()
        channel.send("error", kind="error", code="runner-exception", message="%s: %s" % (type(error).__name__, error),
                     hint="the traceback is in the job log")
        return 1
    channel.send("result", result=result if result is not None else {})
    return 0
