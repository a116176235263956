#!/usr/bin/env bash
# Installs what is missing, builds with CMake and with Meson (warnings are
# errors), and runs every test with both: ctest and meson test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install_deps.sh --test
jobs=$(nproc)

echo "== CMake (preset ci: release, -Werror) =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
ctest --preset ci -j "$jobs"

echo "== Meson (release, -Dwerror=true) =="
if [[ -d builddir ]]; then
  meson setup --reconfigure builddir -Dwerror=true >/dev/null
else
  meson setup builddir -Dwerror=true >/dev/null
fi
meson compile -C builddir -j "$jobs"
meson test -C builddir --print-errorlogs
