"""The pack installer's Python helpers (packs/runtime/python/dubhost_*.py), as Python: fetching and
unpacking a model with its checks, hashing what it brought, and the index reachability probe."""
import hashlib
import io
import json
import os
import sys
import tarfile
import tempfile
import unittest
import zipfile

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "packs", "runtime", "python"))

import dubhost_fetch_model  # noqa: E402
import dubhost_hash_files  # noqa: E402
import dubhost_reach_url  # noqa: E402


def sha256(path):
    with open(path, "rb") as data:
        return hashlib.sha256(data.read()).hexdigest()


class FetchModel(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory()
        self.root = self.folder.name

    def tearDown(self):
        self.folder.cleanup()

    def archive(self, members, name="model.tar.gz"):
        path = os.path.join(self.root, name)
        with tarfile.open(path, "w:gz") as archive:
            for member, content in members.items():
                info = tarfile.TarInfo(member)
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
        return path

    def leftovers(self, destination):
        parent = os.path.dirname(destination)
        return [name for name in os.listdir(parent) if name.endswith(".part")] if os.path.isdir(parent) else []

    def test_a_checked_archive_is_unpacked_with_its_markers(self):
        source = self.archive({"weights/model.bin": b"\x00\x01" * 100, "config.json": b"{}"})
        destination = os.path.join(self.root, "models", "2stems")
        problem = dubhost_fetch_model.fetch("file://" + source, destination, sha256(source), "tar.gz", {".probe": "OK"})
        self.assertIsNone(problem)
        self.assertEqual(sorted(os.listdir(destination)), [".probe", "config.json", "weights"])
        with open(os.path.join(destination, ".probe")) as marker:
            self.assertEqual(marker.read(), "OK")
        self.assertEqual(self.leftovers(destination), [])

    def test_a_wrong_hash_leaves_nothing_and_says_so(self):
        source = self.archive({"a.bin": b"abc"})
        destination = os.path.join(self.root, "models", "m")
        problem = dubhost_fetch_model.fetch("file://" + source, destination, "0" * 64, "tar.gz", {})
        self.assertIn("sha256 mismatch", problem)
        self.assertFalse(os.path.exists(destination))
        self.assertEqual(self.leftovers(destination), [])

    def test_a_member_outside_the_folder_is_refused(self):
        source = self.archive({"../escaped.txt": b"no"})
        destination = os.path.join(self.root, "models", "m")
        problem = dubhost_fetch_model.fetch("file://" + source, destination, "", "tar.gz", {})
        self.assertIn("refusing archive member ../escaped.txt", problem)
        self.assertFalse(os.path.exists(os.path.join(self.root, "models", "escaped.txt")))
        self.assertFalse(os.path.exists(destination))
        self.assertEqual(self.leftovers(destination), [])

    def test_zip_archives_and_plain_files(self):
        source = os.path.join(self.root, "model.zip")
        with zipfile.ZipFile(source, "w") as archive:
            archive.writestr("vocab.txt", "a b c")
        destination = os.path.join(self.root, "models", "zipped")
        self.assertIsNone(dubhost_fetch_model.fetch("file://" + source, destination, "", "zip", {}))
        self.assertEqual(os.listdir(destination), ["vocab.txt"])
        single = os.path.join(self.root, "models", "single.bin")
        self.assertIsNone(dubhost_fetch_model.fetch("file://" + source, single, sha256(source), "", {}))
        self.assertEqual(sha256(single), sha256(source))

    def test_main_takes_the_installers_arguments(self):
        source = self.archive({"a.bin": b"abc"})
        destination = os.path.join(self.root, "models", "m")
        self.assertIsNone(
            dubhost_fetch_model.main(["file://" + source, destination, "", "tar.gz", json.dumps({"done": "1"})]))
        self.assertTrue(os.path.isfile(os.path.join(destination, "done")))


class HashFiles(unittest.TestCase):
    def test_every_file_of_a_folder_or_one_file(self):
        with tempfile.TemporaryDirectory() as root:
            os.makedirs(os.path.join(root, "sub"))
            for name, content in {"a.txt": b"a", "sub/b.txt": b"b"}.items():
                with open(os.path.join(root, name), "wb") as out:
                    out.write(content)
            found = dubhost_hash_files.hashes(root)
            self.assertEqual(list(found), ["a.txt", os.path.join("sub", "b.txt")])
            self.assertEqual(found["a.txt"], hashlib.sha256(b"a").hexdigest())
            self.assertEqual(dubhost_hash_files.hashes(os.path.join(root, "a.txt")), {"a.txt": found["a.txt"]})


class ReachUrl(unittest.TestCase):
    def test_an_answering_url_and_a_refused_one(self):
        with tempfile.NamedTemporaryFile() as page:
            self.assertIsNone(dubhost_reach_url.reach("file://" + page.name))
        problem = dubhost_reach_url.reach("http://127.0.0.1:9/simple/", timeout=2)
        self.assertIsNotNone(problem)
        self.assertIn("Error", problem)


if __name__ == "__main__":
    unittest.main()
