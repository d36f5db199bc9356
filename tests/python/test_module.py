"""The built `dubhost` Python module, imported from the build tree and driven like a notebook user
would: a workspace, imports, editable tracks, real jobs through the real plugins (FFmpeg, the native
separator, espeak-ng) on real media, progress callbacks, exceptions with hints, the GIL released
while jobs run. Run by ctest as `python_module` (PYTHONPATH points at <build>/python)."""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import warnings
from pathlib import Path

import dubhost

SAMPLE_VIDEO = "/usr/share/forensics-samples/original-files/movie2/movie-hello.mp4"
SAMPLE_AUDIO = "/usr/share/sounds/alsa/Front_Center.wav"
SCRIPT = (
    "1\n00:00:00,500 --> 00:00:02,500\nHello from Python.\n\n"
    "2\n00:00:03,000 --> 00:00:06,000\nEvery stage ran through the module.\n"
)


class ModuleTest(unittest.TestCase):
    def setUp(self):
        self.home = tempfile.TemporaryDirectory(prefix="dubhost-python-")
        root = Path(self.home.name)
        for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
            os.environ[name] = str(root / name.lower())
        os.environ.pop("DUBHOST_PLUGIN_PATH", None)
        self.root = root
        self.ws = dubhost.Workspace(root / "ws")
        (root / "script.srt").write_text(SCRIPT, encoding="utf-8")

    def tearDown(self):
        self.home.cleanup()

    def test_import_items_and_the_same_file_twice(self):
        self.assertTrue(self.ws.isolated, "the dubhost binary beside the module was not found")
        first = self.ws.import_media(SAMPLE_AUDIO)
        self.assertFalse(first["already_present"])
        self.assertEqual(first["item"]["media_kind"], "audio")
        self.assertEqual(first["item"]["probe"]["streams"][0]["type"], "audio")
        again = self.ws.import_media(SAMPLE_AUDIO)
        self.assertTrue(again["already_present"])
        self.assertEqual(again["item_id"], first["item_id"])
        self.assertEqual([item["id"] for item in self.ws.items()], [first["item_id"]])

    def test_tracks_are_edited_in_place_and_saved_as_a_new_track(self):
        item = self.ws.import_media(SAMPLE_VIDEO)["item_id"]
        track_id = self.ws.import_track(item, str(self.root / "script.srt"), language="en")
        (track,) = self.ws.tracks(item)
        self.assertEqual(track.id, track_id)
        self.assertEqual(track.language, "en")
        self.assertEqual([s.text for s in track.segments], ["Hello from Python.", "Every stage ran through the module."])
        track.segments[0].text = "Edited in Python, with 'quotes', [brackets]; and a colon: here."
        track.segments[1].speaker = "Anna"
        track.segments.append(dubhost.Segment(6500, 7500, "A new line.", speaker="Ben"))
        new_id = self.ws.add_track(track)
        self.assertNotEqual(new_id, track_id)
        saved = {t.id: t for t in self.ws.tracks(item)}[new_id]
        self.assertEqual(saved.segments[0].text, "Edited in Python, with 'quotes', [brackets]; and a colon: here.")
        self.assertEqual(saved.segments[1].speaker, "Anna")
        self.assertEqual((saved.segments[2].start_ms, saved.segments[2].end_ms), (6500, 7500))
        # The stored original is untouched: tracks are immutable, edits make new ones.
        original = {t.id: t for t in self.ws.tracks(item)}[track_id]
        self.assertEqual(original.segments[0].text, "Hello from Python.")
        broken = dubhost.Track(item, kind="script", language="en")
        broken.segments.append(dubhost.Segment(2000, 1000, "backwards"))
        with self.assertRaises(dubhost.UserError) as raised:
            self.ws.add_track(broken)
        self.assertEqual(raised.exception.code, "bad-segment")

    def test_a_defective_subtitle_file_is_repaired_with_warnings_or_refused_when_strict(self):
        item = self.ws.import_media(SAMPLE_AUDIO)["item_id"]
        run_together = self.root / "run-together.srt"
        run_together.write_text(SCRIPT.replace("\n\n2\n", "\n2\n"), encoding="utf-8")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            self.ws.import_track(item, str(run_together), language="en")
        self.assertEqual([str(w.message) for w in caught],
                         ["run-together.srt: line 4: a cue starts with no blank line before it; read it as a new cue"])
        self.assertEqual([s.text for s in self.ws.tracks(item)[-1].segments],
                         ["Hello from Python.", "Every stage ran through the module."])
        with self.assertRaises(dubhost.UserError) as raised:
            self.ws.import_track(item, str(run_together), language="en", strict=True)
        self.assertEqual(raised.exception.code, "subtitle-syntax")
        self.assertEqual(len(self.ws.tracks(item)), 1)

    def test_an_audio_dub_is_written_where_output_says_and_its_repairs_are_warnings(self):
        run_together = self.root / "run-together.srt"
        run_together.write_text(SCRIPT.replace("\n\n2\n", "\n2\n"), encoding="utf-8")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = self.ws.dub(SAMPLE_AUDIO, subtitles=str(run_together), language="en",
                                 output=str(self.root / "prompt.opus"))
        self.assertEqual([str(w.message) for w in caught],
                         ["run-together.srt: line 4: a cue starts with no blank line before it; read it as a new cue"])
        self.assertEqual(result["output"], str(self.root / "prompt.opus"))
        self.assertEqual((self.root / "prompt.opus").read_bytes()[:4], b"OggS")
        self.assertFalse((self.root / "prompt.wav").exists())
        with self.assertRaises(dubhost.UserError) as raised:
            self.ws.dub(SAMPLE_AUDIO, subtitles=str(run_together), background="loud")
        self.assertEqual(raised.exception.code, "bad-parameter")

    def test_a_batch_runs_from_python_and_reports_each_task(self):
        (self.root / "broken.mp4").write_text("not a video\n", encoding="utf-8")
        rows = [{"video": SAMPLE_AUDIO, "subtitles": "script.srt", "language": "en", "output": "out/prompt.wav"},
                {"video": "broken.mp4", "subtitles": "script.srt", "output": "out/broken.mp4"}]
        manifest = self.root / "batch.jsonl"
        manifest.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        state = dubhost.batch.submit(manifest, self.root / "b1", jobs=2)
        self.assertEqual([task["state"] for task in state["tasks"]], ["succeeded", "failed"])
        self.assertEqual(state["tasks"][1]["error"]["code"], "not-media")
        self.assertTrue((self.root / "out" / "prompt.wav").is_file())
        self.assertEqual(dubhost.batch.status(self.root / "b1")["counts"]["failed"], 1)
        with self.assertRaises(dubhost.UserError) as missing:
            dubhost.batch.status(self.root / "nowhere")
        self.assertEqual(missing.exception.code, "no-batch")

    def test_a_real_job_reports_progress_and_is_skipped_when_up_to_date(self):
        item = self.ws.import_media(SAMPLE_VIDEO)["item_id"]
        seen = []
        job = self.ws.run("extract", item, progress=lambda fraction, message: seen.append((fraction, message)))
        self.assertEqual(job["status"], "succeeded")
        self.assertFalse(job["skipped"])
        self.assertTrue(seen, "no progress reached the callback")
        self.assertTrue(all(0.0 <= fraction <= 1.0 for fraction, _ in seen))
        for output in job["outputs"]:
            self.assertTrue(Path(output["path"]).is_file(), output["path"])
        again = self.ws.run("extract", item)
        self.assertTrue(again["skipped"])
        self.assertEqual(again["id"], job["id"])
        self.assertEqual([j["stage"] for j in self.ws.jobs(item)], ["extract"])

    def test_dub_runs_every_stage_with_the_gil_released(self):
        ticks = []
        stop = threading.Event()

        def ticker():  # runs only if the dub does not hold the GIL
            while not stop.is_set():
                ticks.append(time.monotonic())
                time.sleep(0.01)

        thread = threading.Thread(target=ticker)
        thread.start()
        try:
            result = self.ws.dub(
                SAMPLE_VIDEO,
                subtitles=str(self.root / "script.srt"),
                language="en",
                output=str(self.root / "hello.dub.mp4"),
            )
        finally:
            stop.set()
            thread.join()
        self.assertGreater(len(ticks), 20, "another Python thread could not run during the dub")
        self.assertTrue((self.root / "hello.dub.mp4").is_file())
        self.assertEqual(result["output"], str(self.root / "hello.dub.mp4"))
        ran = {stage["stage"]: stage for stage in result["stages"]}
        for stage in ("extract", "separate", "tts", "mix", "mux"):
            self.assertTrue(ran[stage]["backend"], stage)
        self.assertEqual(ran["mux"]["backend"], "ffmpeg")

    def test_translation_runs_as_a_stage_and_as_part_of_a_dub(self):
        item = self.ws.import_media(SAMPLE_VIDEO)["item_id"]
        self.ws.import_track(item, str(self.root / "script.srt"), language="en")
        job = self.ws.run("translate", item, to="es")
        self.assertEqual(job["status"], "succeeded")
        translation = self.ws.tracks(item)[-1]
        self.assertEqual((translation.kind, translation.language), ("translation", "es"))
        with self.assertRaises(dubhost.UserError) as raised:
            self.ws.run("translate", item, to="xx")
        self.assertEqual(raised.exception.code, "unknown-language")
        result = self.ws.dub(SAMPLE_VIDEO, subtitles=str(self.root / "script.srt"), language="en", to="es",
                             output=str(self.root / "hello.es.mp4"))
        ran = {stage["stage"]: stage for stage in result["stages"]}
        self.assertEqual(ran["translate"]["backend"], "apertium")
        self.assertTrue((self.root / "hello.es.mp4").is_file())

    def test_an_exception_in_the_progress_callback_cancels_the_job_and_propagates(self):
        item = self.ws.import_media(SAMPLE_VIDEO)["item_id"]
        self.ws.run("extract", item)

        class Stop(Exception):
            pass

        def stop(fraction, message):
            raise Stop(message)

        with self.assertRaises(Stop):
            self.ws.run("separate", item, backend="native", progress=stop)
        self.assertEqual(self.ws.jobs(item)[-1]["status"], "cancelled")
        # The workspace carries on: the next call is not cancelled.
        self.assertEqual(self.ws.run("separate", item, backend="native")["status"], "succeeded")

    def test_errors_are_exceptions_with_code_message_and_hint(self):
        with self.assertRaises(dubhost.UserError) as missing:
            self.ws.import_media(str(self.root / "nope.mp4"))
        self.assertIsInstance(missing.exception, dubhost.Error)
        self.assertEqual(missing.exception.code, "no-such-file")
        self.assertIn("nope.mp4", missing.exception.message)
        self.assertTrue(missing.exception.hint)
        with self.assertRaises(dubhost.UserError) as unknown:
            self.ws.run("extract", "ffffffffffffffff")
        self.assertEqual(unknown.exception.code, "no-such-item")
        item = self.ws.import_media(SAMPLE_AUDIO)["item_id"]
        with self.assertRaises(dubhost.UserError) as undeclared:
            self.ws.run("extract", item, loudness=3)
        self.assertEqual(undeclared.exception.code, "unknown-parameter")
        with self.assertRaises(dubhost.UserError) as typed:
            self.ws.run("extract", item, audio_stream=[1])
        self.assertEqual(typed.exception.code, "bad-parameter")
        with self.assertRaises(dubhost.UserError) as audio_only:
            self.ws.run("mux", item)
        self.assertEqual(audio_only.exception.code, "audio-only-item")

    def test_plugins_backends_and_packs(self):
        plugins = self.ws.plugins()
        ids = {plugin["id"] for plugin in plugins["plugins"]}
        self.assertTrue({"dubhost.ffmpeg", "dubhost.tts-espeak"} <= ids, ids)
        choices = {choice["capability"]: choice for choice in self.ws.backends()}
        self.assertEqual(set(choices), {"probe", "extract", "separate", "asr", "diarize", "translate", "tts", "mix", "mux"})
        packs = {pack["id"]: pack for pack in self.ws.packs()}
        self.assertTrue({"spleeter", "whisper", "diarization", "pyttsx3"} <= set(packs), packs)
        self.assertEqual(packs["spleeter"]["state"], "not-installed")
        with self.assertRaises(dubhost.UserError) as offline:
            packs["spleeter"].install(offline=True)
        self.assertIn("--wheelhouse", offline.exception.hint + offline.exception.message)
        with self.assertRaises(dubhost.UserError) as unknown:
            self.ws.install_pack("nope")
        self.assertEqual(unknown.exception.code, "unknown-pack")

    def test_a_pack_installs_from_a_local_wheelhouse_and_runs_a_job(self):
        # The fixture pack (tests/fixtures/plugins) and wheels built here: pip really installs into a
        # venv, offline, from the wheelhouse; no package index is involved.
        wheelhouse = self.root / "wheels"
        subprocess.run(
            [sys.executable, str(Path(__file__).parent.parent / "packs" / "make_fixture_wheels.py"), str(wheelhouse)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        ws = dubhost.Workspace(self.root / "ws-packs", plugin_paths=[os.environ["DUBHOST_TEST_PACK_PLUGIN_DIR"]])
        (fixture,) = [pack for pack in ws.packs() if pack["id"] == "fixture"]
        self.assertEqual(fixture["state"], "not-installed")
        plan = fixture.install(wheelhouse=wheelhouse, offline=True, dry_run=True)
        self.assertTrue(plan["dry_run"])
        self.assertEqual(plan["candidate"], "newest")  # usable here; the resolver has not been asked yet
        self.assertFalse(plan["already_installed"])
        steps = []
        receipt = fixture.install(wheelhouse=wheelhouse, offline=True, progress=lambda f, m: steps.append(m))
        self.assertEqual(receipt["candidate"]["name"], "fallback")
        self.assertTrue(steps, "the install reported no progress")
        (fixture,) = [pack for pack in ws.packs() if pack["id"] == "fixture"]
        self.assertEqual(fixture["state"], "installed")
        self.assertTrue(fixture.install(wheelhouse=wheelhouse, offline=True)["already_installed"])

        item = ws.import_media(SAMPLE_AUDIO)["item_id"]
        ws.import_track(item, str(self.root / "script.srt"), language="en")
        job = ws.run("tts", item, backend="fixture-pack")
        self.assertEqual(job["status"], "succeeded")
        self.assertEqual(job["result"]["tone"], 440)


if __name__ == "__main__":
    unittest.main()
