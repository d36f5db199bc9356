#!/usr/bin/env bash
# Installs the SDK to a temporary prefix, builds each example in sdk/examples/ from a copy outside the
# source tree against that prefix only (tone-tts in C++, single-speaker-c in plain C with no C++
# compiler enabled), and checks that the host loads each from DUBHOST_PLUGIN_PATH, that `dubhost
# plugin check` passes it, and that it exports nothing but the entry symbol.
# Usage: sdk_example_test.sh BUILD_DIR SOURCE_DIR DUBHOST_BINARY
set -euo pipefail
build_dir=$1 source_dir=$2 dubhost=$3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cmake --install "$build_dir" --component sdk --prefix "$scratch/prefix" >/dev/null

# check_example FOLDER PLUGIN_ID LIBRARY BACKEND_ID
check_example() {
  local folder=$1 plugin_id=$2 library=$3 backend_id=$4
  local work="$scratch/$folder"
  cp -r "$source_dir/sdk/examples/$folder" "$work"
  cmake -S "$work" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$scratch/prefix" -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON >/dev/null
  cmake --build "$work/build" >/dev/null
  cmake --install "$work/build" --prefix "$work/plugins-prefix" >/dev/null

  for dir in "$work/build/lib/dubhost/plugins" "$work/plugins-prefix/lib/dubhost/plugins"; do
    DUBHOST_PLUGIN_PATH="$dir" XDG_DATA_HOME="$scratch/data" XDG_CONFIG_HOME="$scratch/config" \
      XDG_CACHE_HOME="$scratch/cache" "$dubhost" --workspace "$scratch/ws" plugins --json >"$scratch/plugins.json"
    python3 - "$scratch/plugins.json" "$dir" "$plugin_id" "$backend_id" <<'PY'
import json, sys
document, folder, plugin_id, backend_id = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3], sys.argv[4]
found = [p for p in document["plugins"] if p["id"] == plugin_id]
assert found, f"{plugin_id} not listed from {folder}: {document}"
assert found[0]["path"].startswith(folder), found[0]["path"]
assert [b["id"] for b in found[0]["backends"]] == [backend_id], found[0]["backends"]
print(f"ok: {plugin_id} loaded from {found[0]['path']}")
PY
  done

  local built="$work/build/lib/dubhost/plugins/$plugin_id/$library"
  XDG_CACHE_HOME="$scratch/cache" "$dubhost" plugin check "$built" --json >"$scratch/check.json"
  python3 - "$scratch/check.json" <<'PY'
import json, sys
check = json.load(open(sys.argv[1]))
assert check["verdict"]["state"] == "ok", check
assert all(backend["status_ok"] for backend in check["backends"]), check
print(f"ok: plugin check passes ({len(check['backends'])} backend)")
PY
  # Only the entry symbol may leave the library.
  local exported
  exported=$(nm -D --defined-only "$built" | awk '$2 ~ /[TDBVW]/ {print $3}' | grep -v '^_' || true)
  if [ "$exported" != "dubhost_plugin_entry" ]; then
    echo "$folder: expected only dubhost_plugin_entry to be exported, got: $exported" >&2
    exit 1
  fi
  echo "ok: $folder exports only dubhost_plugin_entry"
}

check_example tone-tts org.example.tone-tts tone_tts.so example-tone
check_example single-speaker-c org.example.single-speaker single_speaker.so single-speaker
# The C example really is C: its build never looked for a C++ compiler.
if grep -q '^CMAKE_CXX_COMPILER:' "$scratch/single-speaker-c/build/CMakeCache.txt"; then
  echo "single-speaker-c: the build enabled C++" >&2
  exit 1
fi
echo "ok: single-speaker-c built with a C compiler only"
