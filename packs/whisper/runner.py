"""The whisper pack's runner: speech_16k.wav to a subtitle track with faster-whisper.

Models are folders provisioned at install (faster-whisper's own downloader into the pack's models/
folder), loaded with ``WhisperModel(folder)`` and run with HF_HUB_OFFLINE=1, so a job never touches
the network. Segments come from Whisper's own segmentation; one longer than ``max_segment_ms`` is
split at the widest pause between its words (word timestamps on), as the pocketsphinx backend does.
"""
import os
import sys

import dubhost_runner as runner

MODELS = ("tiny", "base", "small", "medium", "large-v3")
COMPUTE_TYPES = ("int8", "int8_float32", "int16", "float32")


def split_at_pauses(words, max_ms):
    """[(start_ms, end_ms, text)] cut at the widest gaps until each piece spans at most max_ms."""
    if len(words) < 2 or words[-1][1] - words[0][0] <= max_ms:
        return [words]
    widest = max(range(1, len(words)), key=lambda i: words[i][0] - words[i - 1][1])
    return split_at_pauses(words[:widest], max_ms) + split_at_pauses(words[widest:], max_ms)


def handle(job, channel):
    model_name = runner.param(job, "model", "small", str)
    if model_name not in MODELS:
        raise runner.bad_request("bad-parameter", "model must be one of %s (got %r)" % (", ".join(MODELS), model_name),
                                 "pass --param model=small")
    language = runner.param(job, "language", "", str) or None
    beam_size = runner.param(job, "beam_size", 5, int, 1, 20)
    compute_type = runner.param(job, "compute_type", "int8", str)
    if compute_type not in COMPUTE_TYPES:
        raise runner.bad_request("bad-parameter", "compute_type must be one of %s" % ", ".join(COMPUTE_TYPES),
                                 "pass --param compute_type=int8")
    vad_filter = runner.param(job, "vad_filter", True, bool)
    max_ms = runner.param(job, "max_segment_ms", 8000, int, 1000, 60000)
    folder = os.path.join(os.environ.get("WHISPER_MODELS", ""), "faster-whisper-" + model_name)
    if not os.path.isdir(folder):
        raise runner.RunnerError("model-missing", "the whisper %s model is not provisioned (%s)" % (model_name, folder),
                                 "run `dubhost pack install whisper%s`" % ("" if model_name == "small" else " --model " + model_name),
                                 kind="not-installed")
    speech = job["inputs"]["speech"]
    _, _, seconds = runner.wav_info(speech)

    import numpy
    from faster_whisper import WhisperModel

    # The samples, not the path: faster-whisper 1.2 decodes a path with PyAV and passes it an argument
    # PyAV 19 no longer takes (TypeError: open() got an unexpected keyword argument 'metadata_errors').
    # speech_16k.wav is already what Whisper wants: 16 kHz mono 16-bit PCM.
    audio = numpy.frombuffer(runner.speech_16k_frames(speech), dtype="<i2").astype(numpy.float32) / 32768.0

    channel.progress(0.02, "loading the %s model" % model_name)
    model = WhisperModel(folder, device="cpu", compute_type=compute_type)
    decoded, info = model.transcribe(audio, language=language, beam_size=beam_size, vad_filter=vad_filter, word_timestamps=True)
    segments, raw = [], []
    for piece in decoded:  # decoding happens as the generator is read
        words = [(int(round(word.start * 1000)), int(round(word.end * 1000)), word.word) for word in (piece.words or [])
                 if word.word.strip()]
        if not words and piece.text.strip():
            words = [(int(round(piece.start * 1000)), int(round(piece.end * 1000)), piece.text)]
        raw.append({"start": int(round(piece.start * 1000)), "end": int(round(piece.end * 1000)), "text": piece.text,
                    "avg_logprob": piece.avg_logprob, "no_speech_prob": piece.no_speech_prob,
                    "words": [{"word": text, "start": start, "end": end} for start, end, text in words]})
        for part in split_at_pauses(words, max_ms) if words else []:
            segments.append({"id": len(segments) + 1, "start": part[0][0], "end": part[-1][1],
                             "text": "".join(text for _, _, text in part).strip(), "speaker": None})
        duration = info.duration or seconds or 1.0
        channel.progress(0.05 + 0.9 * min(1.0, piece.end / duration), "%.0f of %.0f s" % (piece.end, duration))

    out_dir = job["outputs"]["dir"]
    track_path, raw_path = os.path.join(out_dir, "track.json"), os.path.join(out_dir, "raw.json")
    runner.write_json(raw_path, {"backend": "whisper", "model": model_name, "language": info.language,
                                 "language_probability": info.language_probability, "segments": raw})
    runner.write_json(track_path, {"kind": "source", "language": info.language, "created_by": "asr:whisper",
                                   "segments": segments})
    channel.log("recognised %d segments (%s, language %s)" % (len(segments), model_name, info.language))
    return {"outputs": {"track": track_path, "raw": raw_path}, "segments": len(segments), "language": info.language}


if __name__ == "__main__":
    sys.exit(runner.main(handle))
