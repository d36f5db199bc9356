"""Fetch one model for a pack install, with the pack's own interpreter (standard library only).

    python dubhost_fetch_model.py SOURCE DESTINATION SHA256 UNPACK FILES_JSON

SOURCE is an https:// or file:// URL. The download goes to a temporary file and is checked against
SHA256 when one is given. With UNPACK empty the file is renamed to DESTINATION; with "tar.gz" or
"zip" it is unpacked into a temporary folder (a member that would land outside it, or a link or
device, is refused), FILES_JSON's marker files are written into it, and the folder is renamed to
DESTINATION. On failure nothing is left behind and the reason is the exit message.
"""
import hashlib
import json
import os
import shutil
import sys
import tarfile
import urllib.request
import zipfile


def download(source, target, expected):
    """Copies SOURCE to TARGET; returns None, or why the content is not the expected one."""
    digest = hashlib.sha256()
    with urllib.request.urlopen(source, timeout=60) as response, open(target, "wb") as out:
        while True:
            block = response.read(1 << 20)
            if not block:
                break
            digest.update(block)
            out.write(block)
    if expected and digest.hexdigest() != expected.lower():
        return "sha256 mismatch for %s: got %s, expected %s" % (source, digest.hexdigest(), expected)
    return None


def inside(folder, name):
    top = os.path.realpath(folder)
    target = os.path.realpath(os.path.join(folder, name))
    return target == top or target.startswith(top + os.sep)


def unpack_into(archive_path, kind, staging, source):
    """Unpacks the archive into STAGING; returns None, or the member that was refused."""
    if kind == "tar.gz":
        with tarfile.open(archive_path, "r:gz") as archive:
            for member in archive.getmembers():
                if not inside(staging, member.name) or member.issym() or member.islnk() or member.isdev():
                    return "refusing archive member %s of %s" % (member.name, source)
            archive.extractall(staging)
    elif kind == "zip":
        with zipfile.ZipFile(archive_path) as archive:
            for name in archive.namelist():
                if not inside(staging, name):
                    return "refusing archive member %s of %s" % (name, source)
            archive.extractall(staging)
    else:
        return "unknown archive kind %r for %s (tar.gz or zip)" % (kind, source)
    return None


def fetch(source, destination, expected, unpack, files):
    """Brings SOURCE to DESTINATION; returns None, or why it could not."""
    os.makedirs(os.path.dirname(destination), exist_ok=True)
    part = destination + ".download.part"
    try:
        problem = download(source, part, expected)
        if problem:
            return problem
        if not unpack:
            os.replace(part, destination)
            return None
        staging = destination + ".part"
        shutil.rmtree(staging, ignore_errors=True)
        os.makedirs(staging)
        problem = unpack_into(part, unpack, staging, source)
        if problem:
            shutil.rmtree(staging, ignore_errors=True)
            return problem
        for name, content in files.items():
            with open(os.path.join(staging, name), "w") as marker:
                marker.write(content)
        shutil.rmtree(destination, ignore_errors=True)
        os.replace(staging, destination)
        return None
    finally:
        if os.path.exists(part):
            os.remove(part)


def main(argv):
    source, destination, expected, unpack, files = argv
    return fetch(source, destination, expected, unpack, json.loads(files))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
