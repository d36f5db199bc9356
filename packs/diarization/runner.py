"""The diarization pack's runner: who speaks when, with webrtcvad, Resemblyzer and scikit-learn
(or, with ``--param engine=pyannote`` and the pack's pyannote extra, pyannote.audio's pipeline).

1. webrtcvad marks 30 ms frames of the 16 kHz speech as voiced; voiced runs become regions (gaps
   under 300 ms bridged, regions under 300 ms dropped).
2. Each region is cut into windows of ``window_seconds`` (half overlapping) and Resemblyzer embeds
   each window (256-d, L2-normalised d-vectors; the weights ship in its wheel, so no download).
3. Agglomerative clustering, average linkage on cosine distance: a given number of speakers, or a
   distance threshold that decides how many there are (0.42, chosen with `dubhost_diarize_bench` on
   the repository's 1-, 2- and 3-speaker recordings; docs/reference/packs.md), after which a
   "speaker" with under ``min_speaker_seconds`` of speech joins the nearest other one.
4. Windows become turns (overlaps split at their midpoint, same-speaker neighbours merged), and a
   copy of the input track gets each segment's speaker by overlap, as the native diarizer does, so
   both backends write the same files.
"""
import os
import sys

import dubhost_runner as runner

SAMPLE_RATE = 16000
FRAME_MS = 30
BRIDGE_MS = 300
SHORTEST_REGION_MS = 300
MERGE_GAP_MS = 500


def speech_regions(samples, vad):
    """Voiced (start, end) sample ranges."""
    frame = SAMPLE_RATE * FRAME_MS // 1000
    regions = []
    for index in range(len(samples) // frame):
        chunk = samples[index * frame:(index + 1) * frame]
        if not vad.is_speech(chunk.tobytes(), SAMPLE_RATE):
            continue
        start, end = index * frame, (index + 1) * frame
        if regions and start - regions[-1][1] <= SAMPLE_RATE * BRIDGE_MS // 1000:
            regions[-1][1] = end
        else:
            regions.append([start, end])
    return [(start, end) for start, end in regions if end - start >= SAMPLE_RATE * SHORTEST_REGION_MS // 1000]


def windows_of(regions, window_seconds):
    """(start, end) sample ranges, each embedded once; a region shorter than a window is one window."""
    length = int(window_seconds * SAMPLE_RATE)
    hop = length // 2
    windows = []
    for start, end in regions:
        if end - start <= length:
            windows.append((start, end))
            continue
        position = start
        while position + length < end:
            windows.append((position, position + length))
            position += hop
        windows.append((max(start, end - length), end))
    return windows


def cluster(embeddings, speakers, threshold, numpy):
    if len(embeddings) == 1:
        return numpy.zeros(1, dtype=int)
    from sklearn.cluster import AgglomerativeClustering

    settings = dict(n_clusters=min(speakers, len(embeddings)) if speakers else None,
                    distance_threshold=None if speakers else threshold, linkage="average")
    try:
        model = AgglomerativeClustering(metric="cosine", **settings)
    except TypeError:  # scikit-learn < 1.2 calls it affinity
        model = AgglomerativeClustering(affinity="cosine", **settings)
    return model.fit_predict(numpy.asarray(embeddings))


def fold_small_speakers(labels, windows, embeddings, min_seconds, numpy):
    """Clusters with less than ``min_seconds`` of speech in the whole recording join the nearest larger one.

    With real embeddings a stray stretch of one voice (a laugh, a cough, music under a word) can sit
    further from the rest than two different people do; a "speaker" who talks for under two seconds
    in a whole recording is far more often that than a real extra person.
    """
    labels = numpy.asarray(labels)
    seconds = {label: sum(end - start for (start, end), own in zip(windows, labels) if own == label) / SAMPLE_RATE
               for label in set(labels.tolist())}
    kept = [label for label, spoken in seconds.items() if spoken >= min_seconds] or [max(seconds, key=seconds.get)]
    if len(kept) == len(seconds):
        return labels
    vectors = numpy.asarray(embeddings)
    centroids = {label: vectors[labels == label].mean(axis=0) for label in kept}
    folded = labels.copy()
    for index, label in enumerate(labels):
        if label not in centroids:
            folded[index] = max(centroids, key=lambda kept_label: float(
                numpy.dot(vectors[index], centroids[kept_label]) / (numpy.linalg.norm(centroids[kept_label]) + 1e-9)))
    return folded


def window_turns(windows, labels):
    """(start_ms, end_ms, label) per window, overlapping windows split at the middle of their overlap."""
    turns = []
    for index, ((start, end), label) in enumerate(zip(windows, labels)):
        if index > 0 and windows[index - 1][1] > start:
            start = (windows[index - 1][1] + start) // 2
        if index + 1 < len(windows) and windows[index + 1][0] < end:
            end = (windows[index + 1][0] + end) // 2
        turns.append((start * 1000 // SAMPLE_RATE, end * 1000 // SAMPLE_RATE, label))
    return turns


def named_turns(raw_turns):
    """Turns sorted, same-speaker neighbours merged, speakers named in order of first appearance."""
    turns = []
    for start, end, label in sorted(raw_turns):
        if turns and turns[-1]["label"] == label and start - turns[-1]["end"] <= MERGE_GAP_MS:
            turns[-1]["end"] = max(turns[-1]["end"], end)
        else:
            turns.append({"start": start, "end": end, "label": label})
    names = {}
    for turn in turns:
        names.setdefault(turn["label"], "SPEAKER_%d" % len(names))
    return [{"start": turn["start"], "end": turn["end"], "speaker": names[turn["label"]]} for turn in turns]


def resemblyzer_turns(samples, job, channel, numpy):
    speakers = runner.param(job, "speakers", 0, int, 0, 20)
    threshold = runner.param(job, "threshold", 0.42, float, 0.01, 2.0)
    min_speaker_seconds = runner.param(job, "min_speaker_seconds", 2.0, float, 0.0, 600.0)
    vad_mode = runner.param(job, "vad_mode", 2, int, 0, 3)
    window_seconds = runner.param(job, "window_seconds", 1.5, float, 0.5, 10.0)
    import webrtcvad
    from resemblyzer import VoiceEncoder

    windows = windows_of(speech_regions(samples, webrtcvad.Vad(vad_mode)), window_seconds)
    channel.log("%d speech windows of %.1f s" % (len(windows), window_seconds), level="debug")
    if not windows:
        return []
    encoder = VoiceEncoder("cpu", verbose=False)
    embeddings = []
    for index, (start, end) in enumerate(windows):
        embeddings.append(encoder.embed_utterance(samples[start:end].astype(numpy.float32) / 32768.0))
        if index % 10 == 0 or index + 1 == len(windows):
            channel.progress(0.1 + 0.8 * (index + 1) / len(windows), "voice %d of %d" % (index + 1, len(windows)))
    channel.progress(0.92, "clustering voices")
    labels = cluster(embeddings, speakers, threshold, numpy)
    if not speakers:
        labels = fold_small_speakers(labels, windows, embeddings, min_speaker_seconds, numpy)
    return window_turns(windows, [int(label) for label in labels])


def pyannote_turns(samples, job, channel, numpy):
    """The optional pyannote.audio 4 pipeline, from the folder provisioned at install (gated model)."""
    speakers = runner.param(job, "speakers", 0, int, 0, 20)
    folder = os.environ.get("PYANNOTE_PIPELINE", "")
    if not os.path.isdir(folder):
        raise runner.RunnerError("extra-missing", "the pyannote variant of the diarization pack is not installed",
                                 "accept the terms at https://huggingface.co/pyannote/speaker-diarization-community-1, then run "
                                 "`HF_TOKEN=<your token> dubhost pack install diarization --extra pyannote`", kind="not-installed")
    import torch
    from pyannote.audio import Pipeline

    channel.progress(0.05, "loading the pyannote pipeline")
    reinstall = "reinstall: `HF_TOKEN=<your token> dubhost pack install diarization --extra pyannote --force`"
    try:
        pipeline = Pipeline.from_pretrained(folder)
    except (FileNotFoundError, NotADirectoryError) as error:  # a folder without its config.yaml raises
        raise runner.RunnerError("pyannote-load-failed", "pyannote could not load its pipeline from %s: %s" % (folder, error),
                                 reinstall)
    if pipeline is None:  # and other load failures return None instead of raising
        raise runner.RunnerError("pyannote-load-failed", "pyannote could not load its pipeline from %s" % folder, reinstall)
    # A waveform, not a path: pyannote's own decoding (torchcodec) crashes on FFmpeg mismatches.
    waveform = torch.from_numpy(samples.astype(numpy.float32) / 32768.0).unsqueeze(0)
    options = {"num_speakers": speakers} if speakers else {}
    output = pipeline({"waveform": waveform, "sample_rate": SAMPLE_RATE}, **options)
    annotation = getattr(output, "speaker_diarization", output)  # 4.x wraps the annotation
    return [(int(round(turn.start * 1000)), int(round(turn.end * 1000)), label)
            for turn, _, label in annotation.itertracks(yield_label=True)]


def speaker_for(start, end, turns):
    """The speaker who talks most within [start, end); the nearest turn's when none overlaps."""
    overlap = {}
    nearest, nearest_gap = turns[0]["speaker"], None
    for turn in turns:
        shared = min(end, turn["end"]) - max(start, turn["start"])
        if shared > 0:
            overlap[turn["speaker"]] = overlap.get(turn["speaker"], 0) + shared
        gap = max(0, turn["start"] - end, start - turn["end"])
        if nearest_gap is None or gap < nearest_gap:
            nearest, nearest_gap = turn["speaker"], gap
    return max(overlap, key=overlap.get) if overlap else nearest


def handle(job, channel):
    engine = runner.param(job, "engine", "resemblyzer", str)
    if engine not in ("resemblyzer", "pyannote"):
        raise runner.bad_request("bad-parameter", "engine must be resemblyzer or pyannote (got %r)" % engine,
                                 "pass --param engine=resemblyzer")
    track = job["inputs"]["track"]
    output = job["outputs"]["diarization"]

    import numpy

    channel.progress(0.02, "reading speech")
    samples = numpy.frombuffer(runner.speech_16k_frames(job["inputs"]["speech"]), dtype="<i2")
    find_turns = resemblyzer_turns if engine == "resemblyzer" else pyannote_turns
    turns = named_turns(find_turns(samples, job, channel, numpy))

    speaker_list = sorted({turn["speaker"] for turn in turns}, key=lambda name: int(name.split("_")[1]))
    if turns:
        for segment in track["segments"]:
            segment["speaker"] = speaker_for(segment["start"], segment["end"], turns)
    track_path = os.path.join(os.path.dirname(output), "diarized_track.json")
    runner.write_json(output, {"item_id": job.get("item_id", ""), "backend": "resemblyzer", "engine": engine,
                               "speakers": speaker_list, "turns": turns})
    runner.write_json(track_path, track)
    channel.log("found %d speaker(s) in %d turns with %s" % (len(speaker_list), len(turns), engine))
    return {"outputs": {"diarization": output, "track": track_path}, "speakers": len(speaker_list), "engine": engine}


if __name__ == "__main__":
    sys.exit(runner.main(handle))
