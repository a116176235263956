#!/usr/bin/env bash
# Installs what is missing, builds with CMake and with Meson (warnings are
# errors), and runs every test with both: ctest and meson test.
#   --sanitizers  also the sanitizer matrix: ASan+UBSan over every test
#                 (preset debug-asan), TSan over the in-process tests (preset
#                 tsan); any report fails the test that caused it
#   --long        the sanitizer matrix plus a 2-minute soak of the quick suite
#                 (docs/RELIABILITY.md)
# CI runs the default (.ci/run): the two sanitizer builds alone take longer
# than CI's 30 minutes on a 2-core machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

sanitizers=false soak=false
for arg in "$@"; do
  case $arg in
    --sanitizers) sanitizers=true ;;
    --long) sanitizers=true soak=true ;;
    *) echo "usage: scripts/test.sh [--sanitizers|--long]" >&2; exit 2 ;;
  esac
done

scripts/install_deps.sh --test
jobs=$(nproc)

echo "== CMake (preset ci: release, -Werror) =="
cmake --preset ci >/dev/null
cmake --build --preset ci -j "$jobs"
# Both builds are tested even when the first one's tests fail: the summary
# of each is printed, and the exit status says whether either failed.
status=0
ctest_junit=$root/build/ci/ctest-junit.xml meson_junit=$root/builddir/unit.xml
rm -f "$ctest_junit" "$meson_junit"
ctest --preset ci -j "$jobs" --output-on-failure --output-junit "$ctest_junit" \
  || status=1

echo "== Meson (release, -Dwerror=true) =="
if [[ -d builddir ]]; then
  meson setup --reconfigure builddir -Dwerror=true >/dev/null
else
  meson setup builddir -Dwerror=true >/dev/null
fi
meson compile -C builddir -j "$jobs"
meson test -C builddir --print-errorlogs || status=1
if $sanitizers; then
  scripts/sanitizer_tests.sh || status=1
fi
# A 2-minute soak of the quick suite (docs/RELIABILITY.md, "Soak"): drift,
# errors and leaks over repeated runs; non-zero on an error or a leak.
if $soak; then
  echo "== Soak (2 minutes of the quick suite) =="
  soak_out=$(mktemp -d /tmp/primbench-soak-XXXXXX)
  build/ci/primbench run --soak 2m --quick --out "$soak_out" || status=1
  echo "soak results: $soak_out/soak.json"
fi
if [[ $status -ne 0 ]]; then
  # The failed cases and their assertions last, where a truncated log shows
  # them (CI keeps only the tail).
  echo "== failed test cases =="
  python3 scripts/failed_tests.py "$ctest_junit" "$meson_junit"
  echo "== tests FAILED (see the ctest / meson test summaries above) =="
fi
exit "$status"
