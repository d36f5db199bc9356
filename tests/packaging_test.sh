#!/usr/bin/env bash
# Builds the .deb and the .tar.gz with CPack from this build tree, then:
#  - checks the .deb's Depends (computed by dpkg-shlibdeps plus the run-time data packages) and that
#    apt can resolve them on this machine (`apt-get install --simulate`);
#  - unpacks the .deb into a fresh root (dpkg -x: no chroot here) and checks the layout, the man page,
#    `dubhost doctor` run from that root (plugins found beside the binary, none rejected) and the
#    Python module imported from that root;
#  - unpacks the tarball, moves it to another folder, and dubs a real clip from there (relocatable).
# Usage: packaging_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build_dir=$(cd "$1" && pwd) source_dir=$(cd "$2" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export HOME="$scratch/home" XDG_DATA_HOME="$scratch/home/data" XDG_CONFIG_HOME="$scratch/home/config" \
  XDG_CACHE_HOME="$scratch/home/cache"
unset DUBHOST_PLUGIN_PATH DUBHOST_WORKSPACE
mkdir -p "$HOME"

cpack --config "$build_dir/CPackConfig.cmake" -B "$scratch/out" >"$scratch/cpack.log" 2>&1 || {
  cat "$scratch/cpack.log" >&2
  exit 1
}
deb=$(ls "$scratch"/out/dubhost_*.deb)
tarball=$(ls "$scratch"/out/dubhost-*.tar.gz)
echo "ok: built $(basename "$deb") ($(du -h "$deb" | cut -f1)) and $(basename "$tarball") ($(du -h "$tarball" | cut -f1))"

# Depends: the libraries the ELF files link, and what dubhost uses without linking it.
depends=$(dpkg-deb -f "$deb" Depends)
for wanted in libavformat59 libavcodec59 libavfilter8 libswresample4 libespeak-ng1 libpocketsphinx3 libsqlite3-0 \
  libfftw3-single3 libstdc++6 espeak-ng-data pocketsphinx-en-us python3-venv; do
  case ", $depends," in
    *", $wanted"[\ ,]*) ;;
    *) echo "Depends lacks $wanted: $depends" >&2; exit 1 ;;
  esac
done
echo "ok: Depends: $depends"
if apt-get install --simulate "$deb" >"$scratch/apt.log" 2>&1; then
  grep -q "^Inst dubhost" "$scratch/apt.log" || { cat "$scratch/apt.log" >&2; exit 1; }
  echo "ok: apt resolves every dependency of the .deb on this machine"
else
  cat "$scratch/apt.log" >&2
  echo "apt-get cannot install the .deb here (see above)" >&2
  exit 1
fi

# A fresh root with the .deb unpacked in it.
root="$scratch/root"
dpkg -x "$deb" "$root"
for path in usr/bin/dubhost usr/include/dubhost/plugin.h usr/include/dubhost/plugin.hpp \
  usr/lib/cmake/dubhost-sdk/dubhost-sdk-config.cmake usr/lib/cmake/dubhost-sdk/DubhostPlugin.cmake \
  usr/lib/python3/dist-packages/dubhost/__init__.py usr/lib/python3/dist-packages/dubhost/batch.py usr/share/man/man1/dubhost.1 \
  usr/share/doc/dubhost/plugin-guide.md usr/share/doc/dubhost/reference/cli.md usr/share/dubhost/install-deps.sh \
  usr/share/dubhost/sample/movie-hello.script.srt; do
  [ -e "$root/$path" ] || { echo "missing from the .deb: /$path" >&2; exit 1; }
done
ls "$root"/usr/lib/python3/dist-packages/dubhost/_dubhost*.so >/dev/null
for plugin in dubhost.ffmpeg dubhost.tts-espeak dubhost.tts-flite dubhost.asr-pocketsphinx dubhost.diarize-native dubhost.separate-native dubhost.translate-apertium; do
  ls "$root/usr/lib/dubhost/plugins/$plugin/"*.so >/dev/null
done
packs=$(ls "$root"/usr/lib/dubhost/plugins/*/pack.json | wc -l)
[ "$packs" -eq 4 ] || { echo "expected 4 packs in the .deb, found $packs" >&2; exit 1; }
if grep -rq "$build_dir" "$root/usr/bin/dubhost" "$root"/usr/lib/dubhost/plugins/*/*.so; then
  echo "an installed binary still names the build tree $build_dir" >&2
  exit 1
fi
echo "ok: layout (bin, plugins, packs, SDK headers and CMake package, Python module, man page, docs)"
groff -man -Tutf8 -ww -z "$root/usr/share/man/man1/dubhost.1" 2>"$scratch/man.log"
[ ! -s "$scratch/man.log" ] || { cat "$scratch/man.log" >&2; exit 1; }
echo "ok: the man page renders without warnings"

# check_doctor DUBHOST ROOT: doctor from an installed tree loads every in-tree plugin from it.
check_doctor() {
  "$1" --workspace "$scratch/ws-doctor" doctor --json >"$scratch/doctor.json" || true
  "$1" --workspace "$scratch/ws-doctor" plugins --json >"$scratch/plugins.json"
  python3 - "$scratch/doctor.json" "$scratch/plugins.json" "$2" <<'PY'
import json, sys
doctor, plugins, root = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
assert plugins["rejected"] == [], plugins["rejected"]
ids = sorted(p["id"] for p in plugins["plugins"])
assert len(ids) == 11, ids
for plugin in plugins["plugins"]:
    assert plugin["path"].startswith(root), (plugin["path"], root)
assert len(doctor["plugins"]["loaded"]) == 11 and not doctor["plugins"]["rejected"], doctor["plugins"]
assert len(doctor["packs"]) == 4, doctor["packs"]
print(f"ok: doctor from {root}: {len(ids)} plugins, {len(doctor['packs'])} packs, "
      f"{sum(1 for c in doctor['checks'] if c['ok'])}/{len(doctor['checks'])} checks pass")
PY
}
check_doctor "$root/usr/bin/dubhost" "$root/usr/lib/dubhost/plugins"

PYTHONPATH="$root/usr/lib/python3/dist-packages" python3 - "$root" "$scratch/ws-python" <<'PY'
import sys
import dubhost
root, workspace = sys.argv[1], sys.argv[2]
assert dubhost.__file__.startswith(root), dubhost.__file__
ws = dubhost.Workspace(workspace)
assert ws.isolated, "the module did not find the dubhost binary installed beside it"
plugins = ws.plugins()
assert not plugins["rejected"], plugins["rejected"]
assert all(p["path"].startswith(root) for p in plugins["plugins"]), [p["path"] for p in plugins["plugins"]]
print(f"ok: import dubhost {dubhost.__version__} from the root finds {len(plugins['plugins'])} plugins there")
PY

# The tarball, unpacked and then moved: the host finds its plugins relative to its own binary.
mkdir -p "$scratch/unpacked" "$scratch/moved/elsewhere"
tar -xzf "$tarball" -C "$scratch/unpacked"
mv "$scratch/unpacked/$(basename "$tarball" .tar.gz)" "$scratch/moved/elsewhere/dubhost"
moved="$scratch/moved/elsewhere/dubhost"
check_doctor "$moved/bin/dubhost" "$moved/lib/dubhost/plugins"
"$moved/bin/dubhost" --workspace "$scratch/ws-dub" -q dub /usr/share/forensics-samples/original-files/movie2/movie-hello.mp4 \
  --subtitles "$moved/share/dubhost/sample/movie-hello.script.srt" --language en --background original \
  -o "$scratch/dub.mp4" >"$scratch/dub.log"
streams=$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 "$scratch/dub.mp4" | sort | tr '\n' ' ')
[ "$streams" = "audio audio subtitle video " ] || { echo "unexpected streams in the dub: $streams" >&2; exit 1; }
echo "ok: the moved tarball dubbed the sample clip ($streams)"
