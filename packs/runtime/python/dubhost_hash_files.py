"""Print the sha256 of every file under a folder (or of one file) as JSON: what a model brought.

    python dubhost_hash_files.py PATH    ->  {"relative/name": "hex digest", ...}
"""
import hashlib
import json
import os
import sys


def file_digest(path):
    digest = hashlib.sha256()
    with open(path, "rb") as data:
        for block in iter(lambda: data.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def hashes(top):
    if os.path.isfile(top):
        return {os.path.basename(top): file_digest(top)}
    found = {}
    for folder, _, names in os.walk(top):
        for name in names:
            path = os.path.join(folder, name)
            found[os.path.relpath(path, top)] = file_digest(path)
    return dict(sorted(found.items()))


if __name__ == "__main__":
    print(json.dumps(hashes(sys.argv[1])))
