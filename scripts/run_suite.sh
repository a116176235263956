#!/usr/bin/env bash
# End to end on this machine: install what is missing, build a release,
# run the default suite, and print the folder that holds the results.
# Usage: scripts/run_suite.sh [primbench run options...]   e.g. --quick, --out DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

scripts/install_deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target primbench
out=${PRIMBENCH_OUT:-results/$(date -u +%Y%m%d-%H%M%S)-$(hostname)}
build/release/primbench run --out "$out" "$@" >/dev/null
echo "primbench: results are in $out"
