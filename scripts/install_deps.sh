#!/usr/bin/env bash
# Installs the Debian packages primbench needs to build, test and report.
# As root it runs apt-get; otherwise it prints the exact command and exits 2.
# Usage: scripts/install_deps.sh [--test]   (--test adds what the tests need)
set -euo pipefail

packages=(
  build-essential cmake ninja-build meson pkg-config git python3
  libbenchmark-dev libhwloc-dev hwloc libfmt-dev nlohmann-json3-dev libcli11-dev
  libboost-dev libconcurrentqueue-dev libtbb-dev
)
if [[ ${1:-} == --test ]]; then
  packages+=(googletest libgtest-dev procps)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "primbench: missing Debian packages; run as root: apt-get update && $cmd" >&2
  exit 2
fi
echo "primbench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
