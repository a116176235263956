#!/usr/bin/env bash
# Installs the Debian packages primbench needs to build, test and report.
# As root it runs apt-get; otherwise it prints the exact command and exits 2.
# Then the HTML report's web assets: `npm ci` in reports/web (the charting
# library the build embeds, pinned by package-lock.json).
# Usage: scripts/install_deps.sh [--test]   (--test adds what the tests need)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential cmake ninja-build meson pkg-config git python3
  libbenchmark-dev libhwloc-dev hwloc libfmt-dev nlohmann-json3-dev libcli11-dev
  libboost-dev libconcurrentqueue-dev libreaderwriterqueue-dev libtbb-dev libpfm4-dev
)
if [[ ${1:-} == --test ]]; then
  # chromium: the HTML report is checked in a real headless browser;
  # patchelf: scripts/bundle.sh, whose folder a test runs from a copy.
  packages+=(googletest libgtest-dev procps chromium patchelf)
fi
# Node.js and npm fetch the report's charting library; a machine that has
# them from elsewhere (NodeSource) keeps its own. reports/web pins
# playwright-core 1.61.1, the last release that runs on Debian 12's Node.js 18
# (1.62 needs Node 20: the browser test failed on a fresh Debian 12).
command -v npm >/dev/null || packages+=(nodejs npm)

# Skipped when node_modules was installed from this very package-lock.json.
install_web_assets() {
  local web=$root/reports/web stamp=$root/reports/web/node_modules/.primbench-installed-lock
  cmp -s "$web/package-lock.json" "$stamp" 2>/dev/null && return 0
  echo "primbench: installing the HTML report's web assets (npm ci in reports/web)" >&2
  npm ci --prefix "$web" --no-audit --no-fund --loglevel=error >/dev/null
  cp "$web/package-lock.json" "$stamp"
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  install_web_assets
  exit 0
fi

cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "primbench: missing Debian packages; run as root: apt-get update && $cmd" >&2
  exit 2
fi
echo "primbench: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
install_web_assets
