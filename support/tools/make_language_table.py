"""Writes the ISO 639 table dubhost's language codes are checked against, from Debian's iso-codes
data (/usr/share/iso-codes/json/iso_639-3.json), as C++ initialisers. Run by the build."""
import json
import os
import sys


def c_string(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main(source, target):
    with open(source, encoding="utf-8") as stream:
        languages = json.load(stream)["639-3"]
    lines = ["// Generated from " + source + " by support/tools/make_language_table.py. Do not edit."]
    for language in sorted(languages, key=lambda entry: entry["alpha_3"]):
        fields = (language["alpha_3"], language.get("alpha_2", ""),
                  language.get("bibliographic", language["alpha_3"]), language["name"])
        lines.append("{" + ", ".join(c_string(field) for field in fields) + "},")
    with open(target + ".tmp", "w", encoding="utf-8") as stream:
        stream.write("\n".join(lines) + "\n")
    os.replace(target + ".tmp", target)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
