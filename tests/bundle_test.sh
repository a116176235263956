#!/usr/bin/env bash
# scripts/bundle.sh makes a folder that runs from anywhere: packed into a
# scratch folder and copied elsewhere, every library but glibc's resolves
# inside the copy, and primbench runs there, including a benchmark whose
# workers are processes (they re-execute the binary, and must find the same
# libraries). Exit 77 (skipped, in CTest and Meson) without patchelf.
# Usage: tests/bundle_test.sh BUILD_DIR   (the folder holding primbench)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$1
command -v patchelf >/dev/null || { echo "SKIP: patchelf is not installed (scripts/install_deps.sh --test)"; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
"$root/scripts/bundle.sh" "$build" "$scratch/packed"
cp -r "$scratch/packed" "$scratch/moved"   # the bundle must not depend on where it was made
rm -rf "$scratch/packed"
exe=$scratch/moved/primbench

outside=$(ldd "$exe" | awk '$2 == "=>" {print $1, $3}' |
          grep -vE "^(libc|libm)\.so| $scratch/moved/lib/" || true)
if [[ -n $outside ]]; then
  echo "FAIL: libraries resolved outside the bundle: $outside"
  exit 1
fi
"$exe" topo >/dev/null
# Same-PU, so any machine has it: a cache line between two worker processes,
# and fork+exec of the binary itself.
"$exe" run --quick --family c2c,spawn --out "$scratch/run" 2>"$scratch/err" \
  --filter '^(c2c/rtt/processes/same-pu|spawn/fork_exec/processes/same-pu/primbench_version)$' ||
  { echo "FAIL: the bundled primbench could not run a process benchmark:"; cat "$scratch/err"; exit 1; }
grep -q '2 of 2 benchmarks run, 0 failed' "$scratch/err" || { echo "FAIL:"; cat "$scratch/err"; exit 1; }
echo "bundle runs from a copy: $(ls "$scratch/moved/lib" | wc -l) libraries packed"
