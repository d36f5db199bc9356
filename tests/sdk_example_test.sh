#!/usr/bin/env bash
# Installs the SDK to a temporary prefix, builds sdk/examples/tone-tts from a copy outside the source
# tree against that prefix only, and checks that the host loads it from DUBHOST_PLUGIN_PATH.
# Usage: sdk_example_test.sh BUILD_DIR SOURCE_DIR DUBHOST_BINARY
set -euo pipefail
build_dir=$1 source_dir=$2 dubhost=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --component sdk --prefix "$scratch/prefix" >/dev/null
cp -r "$source_dir/sdk/examples/tone-tts" "$scratch/example"
cmake -S "$scratch/example" -B "$scratch/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >/dev/null
cmake --build "$scratch/build" >/dev/null
cmake --install "$scratch/build" --prefix "$scratch/plugins-prefix" >/dev/null

for dir in "$scratch/build/lib/dubhost/plugins" "$scratch/plugins-prefix/lib/dubhost/plugins"; do
  DUBHOST_PLUGIN_PATH="$dir" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
    "$dubhost" --workspace "$scratch/ws" plugins --json >"$scratch/plugins.json"
  python3 - "$scratch/plugins.json" "$dir" <<'PY'
import json, sys
document = json.load(open(sys.argv[1]))
found = [p for p in document["plugins"] if p["id"] == "org.example.tone-tts"]
assert found, f"example plugin not listed from {sys.argv[2]}: {document}"
assert found[0]["path"].startswith(sys.argv[2]), found[0]["path"]
assert [b["id"] for b in found[0]["backends"]] == ["example-tone"], found[0]["backends"]
print(f"ok: example plugin loaded from {found[0]['path']}")
PY
done
# Only the entry symbol may leave the library.
exported=$(nm -D --defined-only "$scratch/build/lib/dubhost/plugins/org.example.tone-tts/tone_tts.so" | awk '$2 ~ /[TDBVW]/ {print $3}' | grep -v '^_' || true)
if [ "$exported" != "dubhost_plugin_entry" ]; then
  echo "expected only dubhost_plugin_entry to be exported, got: $exported" >&2
  exit 1
fi
echo "ok: only dubhost_plugin_entry is exported"
