"""Builds the fixture wheels the pack runtime tests install from (no network, no setuptools).

    make_fixture_wheels.py OUT_DIR

dubhost_fixture_tone 1.0  a module whose tone() returns 440
dubhost_fixture_tone 2.0  the same, but Requires-Python >=3.99: no interpreter can install it
dubhost_fixture_broken 1.0  a module that raises when imported (for failing health checks)
"""
import base64
import hashlib
import os
import sys
import zipfile


def record_line(name, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (name, digest, len(data))


def make_wheel(out_dir, distribution, version, module_source, requires_python=None):
    dist_info = "%s-%s.dist-info" % (distribution, version)
    metadata = "Metadata-Version: 2.1\nName: %s\nVersion: %s\n" % (distribution.replace("_", "-"), version)
    if requires_python:
        metadata += "Requires-Python: %s\n" % requires_python
    files = {
        "%s/__init__.py" % distribution: module_source.encode(),
        "%s/METADATA" % dist_info: metadata.encode(),
        "%s/WHEEL" % dist_info: b"Wheel-Version: 1.0\nGenerator: dubhost-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record_name = "%s/RECORD" % dist_info
    lines = [record_line(name, data) for name, data in files.items()] + [record_name + ",,"]
    files[record_name] = ("\n".join(lines) + "\n").encode()
    path = os.path.join(out_dir, "%s-%s-py3-none-any.whl" % (distribution, version))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            wheel.writestr(info, data)
    return path


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    make_wheel(out_dir, "dubhost_fixture_tone", "1.0", "def tone():\n    return 440\n")
    make_wheel(out_dir, "dubhost_fixture_tone", "2.0", "def tone():\n    return 880\n", requires_python=">=3.99")
    make_wheel(out_dir, "dubhost_fixture_broken", "1.0", "raise ImportError('the fixture is broken on purpose')\n")


if __name__ == "__main__":
    main()
