#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and fuzzes each for a
# while, starting from the committed corpus (fuzz/corpus/<target>/). Not part
# of CI's critical path: run it by hand or on a schedule.
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 300 result_file # one target, 5 minutes
#
# New interesting inputs are merged back into fuzz/corpus/<target>/ (commit
# them); an input that crashes is copied to fuzz/crashes/<target>/, where
# tests/test_fuzz_replay.cpp replays it in every ordinary build from then on.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
shift || true
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(result_file compare_inputs synthetic_topology cli_arguments)

if ! command -v clang++ >/dev/null || ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  echo "fuzz.sh: needs clang and libFuzzer: apt-get install clang libclang-rt-14-dev" >&2
  exit 2
fi

build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPRIMBENCH_FUZZ=ON \
  -DPRIMBENCH_BUILD_TESTS=OFF -DPRIMBENCH_SANITIZE=address,undefined >/dev/null
cmake --build "$build" --target $(printf 'fuzz_%s ' "${targets[@]}")

status=0
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t
  crashes=fuzz/crashes/$t
  work=$(mktemp -d)
  mkdir -p "$crashes"
  echo "== fuzz_$t for ${seconds}s =="
  # -close_fd_mask=3: the targets print reports and error lines by design.
  if ! "$build/fuzz_$t" "$work" "$corpus" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 \
      -max_len=65536 -close_fd_mask=3 -artifact_prefix="$crashes/" 2>&1 | tee "$work.log"; then
    echo "fuzz_$t: found a crash, saved under $crashes/ (replayed by the tests from now on)" >&2
    status=1
  fi
  # A target built without coverage instrumentation sees a handful of edges
  # and mutates blindly: say so instead of reporting a clean run.
  cov=$(sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' "$work.log" | head -1)
  if [[ -z $cov || $cov -lt 100 ]]; then
    echo "fuzz_$t: only ${cov:-no} coverage edges at start: the targets are not instrumented" >&2
    status=1
  fi
  rm -f "$work.log"
  # Keep what found new coverage, minimised into the committed corpus.
  "$build/fuzz_$t" -merge=1 "$corpus" "$work" -close_fd_mask=3 >/dev/null 2>&1 || true
  rm -rf "$work"
done
exit $status
