#!/usr/bin/env bash
# Installs every Debian 12 package that dubhost's build, tests and default (offline) backends need.
# Idempotent and non-interactive; run as root or with sudo available. Usage:
#   packaging/install-deps.sh            build + runtime + test packages
#   packaging/install-deps.sh --runtime  only what an installed dubhost needs at run time
#   packaging/install-deps.sh --ci-tools the extra tools CI uses (formatting check, Python lint, fuzzing)
#   packaging/install-deps.sh --packs    what the Python packs take from Debian (CPU torch for diarization)
set -euo pipefail

build_packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-test-dev libboost-filesystem-dev
  nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev
  libsqlite3-dev libsqlitecpp-dev
  libavformat-dev libavcodec-dev libavfilter-dev libswresample-dev libavutil-dev
  libespeak-ng-dev libpocketsphinx-dev libsphinxbase-dev libfftw3-dev
  flite1-dev    # the default English voice: libflite and its four voices, linked into the flite plugin
  pybind11-dev python3-dev python3-venv python3-pip
  libcjson-dev  # the SDK's plain-C example plugin parses its job with cJSON
  iso-codes     # ISO 639 language codes, compiled into the host
)
runtime_packages=(
  espeak-ng-data pocketsphinx-en-us libfftw3-single3 python3 libflite1
  apertium apertium-eng-spa  # the offline translation backend and its English<->Spanish pair
)
# Real recordings and tools the tests and benchmarks build their media from (see docs/).
test_packages=(
  ffmpeg sqlite3 file groff-base  # groff: the packaging test renders the man page
  forensics-samples-files pocketsphinx-testdata alsa-utils
  pocketsphinx
  frozen-bubble-data asterisk-moh-opsound-g722 ktuberling-data espeak-ng
  python3-numpy python3-sklearn  # the diarization runner runs against the real scikit-learn API
  slurm-wlm munge  # the batch_slurm suite starts a one-node Slurm cluster of its own (no system daemons)
  python3-yaml  # the batch suite parses the Kubernetes job dubhost writes
  asterisk-core-sounds-en asterisk-core-sounds-en-g722  # studio prompts with transcripts: the ASR benchmark's judging set
)

ci_tool_packages=(clang-format pyflakes3 clang-14 libclang-rt-14-dev)  # clang and libFuzzer: the fuzz preset
# Debian's CPU-only torch (145 MB) for the diarization pack, instead of the package index's multi-GB
# CUDA build (docs/decisions/0009-cpu-torch-from-debian.md).
pack_packages=(python3-torch)

mode=${1:-all}
case "$mode" in
  --runtime) wanted=("${runtime_packages[@]}") ;;
  --ci-tools) wanted=("${ci_tool_packages[@]}") ;;
  --packs) wanted=("${pack_packages[@]}") ;;
  all|--all) wanted=("${build_packages[@]}" "${runtime_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: $0 [--runtime|--ci-tools|--packs]" >&2; exit 1 ;;
esac

missing=()
for pkg in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#wanted[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
