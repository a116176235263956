#!/usr/bin/env bash
# Installs what is missing, builds with CMake and with Meson (warnings are
# errors), and runs every test with both: ctest and meson test. `--long` adds
# a 2-minute soak of the quick suite afterwards (docs/RELIABILITY.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install_deps.sh --test
jobs=$(nproc)

echo "== CMake (preset ci: release, -Werror) =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
# Both builds are tested even when the first one's tests fail: the summary
# of each is printed, and the exit status says whether either failed.
status=0
ctest --preset ci -j "$jobs" --output-on-failure || status=1

echo "== Meson (release, -Dwerror=true) =="
if [[ -d builddir ]]; then
  meson setup --reconfigure builddir -Dwerror=true >/dev/null
else
  meson setup builddir -Dwerror=true >/dev/null
fi
meson compile -C builddir -j "$jobs"
meson test -C builddir --print-errorlogs || status=1
# --long: also a 2-minute soak of the quick suite (docs/RELIABILITY.md, "Soak"):
# drift, errors and leaks over repeated runs; non-zero on an error or a leak.
if [[ "${1:-}" == "--long" ]]; then
  echo "== Soak (2 minutes of the quick suite) =="
  soak_out=$(mktemp -d /tmp/primbench-soak-XXXXXX)
  build/ci/primbench run --soak 2m --quick --out "$soak_out" || status=1
  echo "soak results: $soak_out/soak.json"
fi
if [[ $status -ne 0 ]]; then
  echo "== tests FAILED (see the ctest / meson test summaries above) =="
fi
exit "$status"
