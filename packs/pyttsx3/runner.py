"""The pyttsx3 pack's runner: every segment of a subtitle track spoken to its own WAV, plus the
manifest the mixer reads (the same files as the espeak-ng backend writes).

pyttsx3 prints "Audio saved to ..." on stdout, which is why the protocol has its own pipe. Known
trouble (PACKS-NOTES.md): empty files (pyttsx3 #142), so each file is checked and tried once more;
hangs when several files are saved in one loop (#194), so every file gets its own runAndWait()
under a watchdog thread: an exception raised inside the espeak callback (where a SIGALRM handler
would run) is swallowed by the library, so only ending the process stops a stuck segment.

Voice ids: the real library lower-cases espeak-ng's identifiers (``gmw/en-us``) and accepts any
string without complaint (an unknown one silently keeps the previous voice), while users pick voices
with the espeak-ng backend (``gmw/en-US+m3``). So ids are matched without regard to case, an espeak-ng
variant after ``+`` is kept when espeak-ng-data has it, and anything else is refused before any work.
"""
import os
import sys
import threading

import dubhost_runner as runner

ESPEAK_DATA_FOLDERS = ("/usr/lib/x86_64-linux-gnu/espeak-ng-data", "/usr/lib/aarch64-linux-gnu/espeak-ng-data",
                       "/usr/share/espeak-ng-data", "/usr/lib/espeak-ng-data")


class Watchdog:
    """Ends the runner with a tts-hung error when one segment takes longer than ``timeout`` seconds."""

    def __init__(self, channel, timeout, part):
        self._channel, self._timeout, self._part, self._timer = channel, timeout, part, None

    def _fire(self):
        try:  # os._exit skips atomic_output's clean-up: the half-written segment goes here
            os.remove(self._part)
        except OSError:
            pass
        self._channel.send("error", kind="error", code="tts-hung",
                           message="pyttsx3 did not finish a segment within %g s" % self._timeout,
                           hint="pass --param segment_timeout=%d, or use espeak-ng: --backend espeak-ng" % int(self._timeout * 2))
        os._exit(1)

    def __enter__(self):
        self._timer = threading.Timer(self._timeout, self._fire)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        return False


def espeak_variants():
    """The variant names espeak-ng-data offers (``m3``, ``f2``, ``Alex``...), lower-cased."""
    for folder in [os.environ.get("ESPEAK_DATA_PATH", "")] + list(ESPEAK_DATA_FOLDERS):
        variants = os.path.join(folder, "voices", "!v") if folder else ""
        if variants and os.path.isdir(variants):
            return {name.lower() for name in os.listdir(variants)}
    return set()


def resolve_voice(wanted, voices, variants):
    """The id to give pyttsx3 for a voice a user chose, or None when the library has no such voice."""
    base, plus, variant = wanted.partition("+")
    known = {voice.id.lower(): voice.id for voice in voices}
    found = known.get(base.lower())
    if found is None or (plus and variant.lower() not in variants):
        return None
    return found + (plus + variant.lower() if plus else "")


def text_of(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def voice_languages(voice):
    # The espeak driver gives languages as bytes with a leading priority byte (b"\x05en-gb").
    return [text_of(language).lstrip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f").lower()
            for language in (getattr(voice, "languages", None) or [])]


def speaks(voice, language):
    language = language.lower()
    return any(code == language or code.startswith(language + "-") for code in voice_languages(voice))


def assign_voices(speakers, chosen, voices, language, variants=frozenset()):
    """Every speaker gets a voice: the chosen one, else a distinct voice of the language while any is left."""
    resolved = {}
    for speaker, voice in chosen.items():
        resolved[speaker] = resolve_voice(voice, voices, variants)
        if resolved[speaker] is None:
            matching = [voice.id for voice in voices if speaks(voice, language)][:5]
            raise runner.bad_request("unknown-voice", "pyttsx3 has no voice '%s' (asked for speaker %s)" % (voice, speaker),
                                     "pick one of `dubhost pack status pyttsx3` voices, e.g. %s (an espeak-ng variant may "
                                     "follow a +, e.g. %s+f3)" % (", ".join(matching) or "none for " + language,
                                                                   matching[0] if matching else "gmw/en"))
    chosen = resolved
    free = [voice.id for voice in voices if speaks(voice, language) and voice.id not in chosen.values()]
    if not free and not chosen:
        raise runner.bad_request("no-voice-for-language", "pyttsx3 has no voice for language '%s'" % language,
                                 "set the track's language or pass --param language=en")
    assigned, shared = dict(chosen), []
    for speaker in speakers:
        if speaker in assigned:
            continue
        if free:
            assigned[speaker] = free.pop(0)
        else:  # more speakers than voices: reuse, and say so in the manifest
            assigned[speaker] = sorted(set(assigned.values()))[len(shared) % len(set(assigned.values()))]
            shared.append(speaker)
    return assigned, shared


def synthesise(engine, text, path, timeout, channel):
    """One file, one runAndWait(), under a watchdog; an empty file is tried once more."""
    for attempt in range(2):
        with Watchdog(channel, timeout, path):
            engine.save_to_file(text, path)
            engine.runAndWait()
        if os.path.exists(path) and os.path.getsize(path) > 44:
            return
    raise runner.RunnerError("tts-empty", "pyttsx3 wrote an empty file for %r" % text[:60],
                             "check `dubhost pack status pyttsx3` (libespeak-ng1 and espeak-ng-data must be installed)")


def handle(job, channel):
    rate = runner.param(job, "rate", 165, int, 80, 450)
    timeout = runner.param(job, "segment_timeout", 60.0, float, 1.0, 3600.0)
    track = job["inputs"]["track"]
    language = runner.param(job, "language", "", str) or track.get("language") or "en"
    chosen = {k: v for k, v in job["inputs"].get("voice_map", {}).items() if isinstance(v, str)}
    chosen.update({k: v for k, v in job.get("params", {}).get("voice_map", {}).items() if isinstance(v, str)})
    out_dir = job["outputs"]["dir"]
    segments_dir = os.path.join(out_dir, "segments")
    os.makedirs(segments_dir, exist_ok=True)

    sys.stdout = sys.stderr  # whatever the library prints belongs in the log
    import pyttsx3

    engine = pyttsx3.init()
    voices = list(engine.getProperty("voices") or [])
    speakers = []
    for segment in track["segments"]:
        speaker = segment.get("speaker")
        if isinstance(speaker, str) and speaker not in speakers:
            speakers.append(speaker)
    voice_map, shared = assign_voices(speakers, chosen, voices, language, espeak_variants())
    default_voice = next((voice.id for voice in voices if speaks(voice, language)), None) or (voices[0].id if voices else None)
    engine.setProperty("rate", rate)

    entries, skipped, written = [], [], set()
    sample_rate = None
    total = len(track["segments"])
    for index, segment in enumerate(track["segments"]):
        text = segment.get("text") or ""
        key = segment["id"] if isinstance(segment["id"], str) else str(segment["id"])
        if not text.strip():
            skipped.append({"segment_id": segment["id"], "reason": "empty text"})
            continue
        speaker = segment.get("speaker") if isinstance(segment.get("speaker"), str) else None
        voice = voice_map[speaker] if speaker else default_voice
        if voice:
            engine.setProperty("voice", voice)
        path = os.path.join(segments_dir, key + ".wav")
        with runner.atomic_output(path) as part:
            synthesise(engine, text, part, timeout, channel)
        written.add(key + ".wav")
        sample_rate, _, seconds = runner.wav_info(path)
        duration = int(round(seconds * 1000))
        entries.append({"segment_id": segment["id"], "text": text, "speaker": speaker, "voice": voice, "path": path,
                        "start": segment["start"], "end": segment["end"], "duration": duration, "fitted_duration": duration})
        channel.progress((index + 1) / total, "segment %d of %d" % (index + 1, total))
    # Segments of an earlier run that this track no longer has would confuse anyone reading the folder.
    for name in os.listdir(segments_dir):
        if name not in written:
            os.remove(os.path.join(segments_dir, name))
    try:
        from importlib.metadata import version
        engine_version = "pyttsx3 " + version("pyttsx3")
    except Exception:  # metadata missing: still a valid run
        engine_version = "pyttsx3"
    manifest = os.path.join(out_dir, "manifest.json")
    runner.write_json(manifest, {"backend": "pyttsx3", "engine_version": engine_version, "language": language,
                                 "sample_rate": sample_rate or 0, "rate_wpm": rate, "voice_map": voice_map,
                                 "shared_voices": shared, "segments": entries, "skipped": skipped,
                                 "voices": [{"id": voice.id, "name": text_of(getattr(voice, "name", voice.id)),
                                             "languages": voice_languages(voice)} for voice in voices]})
    channel.log("spoke %d segments, skipped %d" % (len(entries), len(skipped)))
    return {"outputs": {"manifest": manifest, "dir": out_dir}, "voice_map": voice_map, "skipped": skipped}


if __name__ == "__main__":
    sys.exit(runner.main(handle))
