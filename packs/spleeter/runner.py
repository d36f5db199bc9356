"""The spleeter pack's runner: the separate stage with Deezer's Spleeter.

The mix is read and separated in passes of ``chunk_seconds`` (progress per pass, memory bounded),
the stems are concatenated, and ``background`` is the sum of every stem but the vocals (for 2 stems
that is spleeter's "accompaniment"). Models come from $MODEL_PATH, provisioned at install, so a job
never downloads anything (a half-downloaded model makes spleeter return the input as every stem).
Multiprocessing is off: spleeter's default pool deadlocks on some platforms.
"""
import os
import sys

import dubhost_runner as runner

SAMPLE_RATE = 44100


def handle(job, channel):
    stems = runner.param(job, "stems", 2, int)
    if stems not in (2, 4, 5):
        raise runner.bad_request("bad-parameter", "stems must be 2, 4 or 5 (got %d)" % stems, "pass --param stems=2")
    mwf = runner.param(job, "mwf", False, bool)
    chunk_seconds = runner.param(job, "chunk_seconds", 600.0, float, 30.0, 3600.0)
    model_root = os.environ.get("MODEL_PATH", "")
    if not os.path.isfile(os.path.join(model_root, "%dstems" % stems, ".probe")):
        raise runner.RunnerError("model-missing", "the spleeter %dstems model is not provisioned in %s" % (stems, model_root or "(MODEL_PATH unset)"),
                                 "run `dubhost pack install spleeter%s`" % ("" if stems == 2 else " --model %dstems" % stems),
                                 kind="not-installed")
    mix = job["inputs"]["mix"]
    outputs = job["outputs"]
    _, _, seconds = runner.wav_info(mix)

    import numpy
    from spleeter.audio.adapter import AudioAdapter
    from spleeter.separator import Separator

    channel.progress(0.02, "loading the %dstems model" % stems)
    separator = Separator("spleeter:%dstems" % stems, MWF=mwf, multiprocess=False)
    adapter = AudioAdapter.default()
    pieces = {}
    offset = 0.0
    while offset < seconds:
        length = min(chunk_seconds, seconds - offset)
        waveform, _ = adapter.load(mix, offset=offset, duration=length, sample_rate=SAMPLE_RATE)
        for name, data in separator.separate(waveform, mix).items():
            pieces.setdefault(name, []).append(data)
        offset += length
        channel.progress(0.05 + 0.85 * min(1.0, offset / seconds), "separated %.0f of %.0f s" % (offset, seconds))
    if "vocals" not in pieces:
        raise runner.RunnerError("no-vocals", "spleeter returned no vocals stem (got %s)" % ", ".join(sorted(pieces)), runner.reinstall_hint())

    stem_data = {name: numpy.concatenate(chunks) for name, chunks in pieces.items()}
    background = sum(data for name, data in stem_data.items() if name != "vocals")
    folder = os.path.dirname(outputs["vocals"])
    written = {"vocals": outputs["vocals"], "background": outputs["background"]}
    for name in stem_data:
        if name not in ("vocals", "accompaniment"):
            written[name] = os.path.join(folder, name + ".wav")
    channel.progress(0.92, "writing %d stems" % len(written))
    work = job.get("work_dir") or folder
    os.makedirs(work, exist_ok=True)
    for name, path in written.items():
        data = background if name == "background" else stem_data[name]
        # spleeter's writer picks the format from the extension: write *.wav in the scratch folder, then move.
        scratch = os.path.join(work, name + ".wav")
        adapter.save(scratch, data, SAMPLE_RATE, "wav")
        os.replace(scratch, path)
    return {"outputs": written, "stems": stems, "sample_rate": SAMPLE_RATE, "seconds": round(seconds, 3),
            "model": "spleeter:%dstems" % stems}


if __name__ == "__main__":
    sys.exit(runner.main(handle))
