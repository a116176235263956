#!/usr/bin/env bash
# The sanitizer matrix (scripts/test.sh --sanitizers):
#   ASan + UBSan over every test: CMake preset debug-asan (Debug,
#     -fsanitize=address,undefined -fno-sanitize-recover=all); the primbench
#     binary the tests start is built the same way, so its runs are checked too.
#   TSan over the in-process tests (preset tsan), and over every family's
#     thread-mode benchmarks in a quick run. Process workers cannot run under
#     it (see below); a race between processes through shared memory would be
#     invisible to it anyway.
# Suppressions (scripts/sanitizers/*.supp) name the false positive they hide.
# Exit status non-zero when either build fails or any test reports.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=$(nproc)
status=0

# halt_on_error: a report fails the test that produced it, with its stack.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:abort_on_error=0:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$root/scripts/sanitizers/tsan.supp"

echo "== ASan + UBSan (preset debug-asan): every test =="
if cmake --preset debug-asan >/dev/null && cmake --build --preset debug-asan -j "$jobs"; then
  # The bundle test checks packaging, which sanitizers add nothing to (the release builds run it).
  ctest --preset debug-asan -j "$jobs" --output-on-failure -E '^bundle_runs_from_a_copy$' || status=1
else
  status=1
fi

# TSan keeps a thread of its own in every process, so primbench's fork guard
# (harness/workers.cpp: fork only from a single-threaded process) refuses
# every fork under it, by design: tests of process workers, and the CLI runs
# whose benchmarks fork, are left out; everything else runs.
tsan_skip='^(Cli|EveryLock|EveryDoorbell|EveryFanOut|EveryBarrier|PipeFamily|QueueFamily|PoolFamily|SpawnFamily|CountdownFamily|FreshWorkers|Creation|WorkerProcesses)\.|/processes$|^Pinning\.ProcessBindingInAForkedChild$|^bundle_runs_from_a_copy$'
echo "== TSan (preset tsan): in-process tests, then the quick suite's thread benchmarks =="
if cmake --preset tsan >/dev/null && cmake --build --preset tsan -j "$jobs"; then
  ctest --preset tsan -j "$jobs" --output-on-failure -E "$tsan_skip" || status=1
  # The benchmark code itself under TSan: every family's thread-mode
  # benchmarks (rings, locks, pools, ...), each a TSan-built process whose
  # report turns the benchmark into an error entry and the run's exit into 1.
  # Not spawn's: they check that no thread outlives the loop, and TSan's own
  # background thread (started with the first thread created) does.
  tsan_out=$(mktemp -d /tmp/primbench-tsan-XXXXXX)
  if ! build/tsan/primbench run --quick --filter '^(?!spawn/).*/threads/' --out "$tsan_out" --force >"$tsan_out/run.log" 2>&1; then
    grep -E "FAILED|ThreadSanitizer" "$tsan_out/run.log" >&2 || tail -5 "$tsan_out/run.log" >&2
    echo "TSan: the quick suite's thread benchmarks reported (log: $tsan_out/run.log)" >&2
    status=1
  else
    echo "TSan: quick suite, thread benchmarks: no reports"
    rm -rf "$tsan_out"
  fi
else
  status=1
fi
exit "$status"
