#!/usr/bin/env bash
# The sanitizer matrix (scripts/test.sh --sanitizers):
#   ASan + UBSan over every test: CMake preset debug-asan (Debug,
#     -fsanitize=address,undefined -fno-sanitize-recover=all); the primbench
#     binary the tests start is built the same way, so its runs are checked too.
#   TSan over the in-process tests: preset tsan. Tests that fork worker
#     processes or run the primbench binary are left out: TSan's runtime is
#     not fork-safe once threads exist, and a race between processes through
#     shared memory is invisible to it anyway.
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
  ctest --preset debug-asan -j "$jobs" --output-on-failure || status=1
else
  status=1
fi

# The in-process suites: rings, queues and locks exercised by threads of the
# test process, the statistics and report code. (Regex over ctest names,
# which are Suite.Test.)
tsan_tests='^(Rings|SpscExchange|MpmcExchange|WorkerThreads|LatencyHistogram|Statistics|MannWhitneyU|MedianChange|Compare|CompareScale|CompareFormat|UslFit|UslRecovery|CapacityFit|MessageCheck|MessageCheckOrder|MutualExclusionCheck|LockHandOffCheck|Fairness|AcquisitionMix|BusyWork|TaskWork|OpenLoopSchedule|ResultFile|ResultReader|ResultView|HtmlPage|ReportBenchmarks|CpuList|Topology|TopologyFixtures|PairPlan|WorkerPlan|PlacementFixtures|FuzzTargets|FuzzReplay)\.'
echo "== TSan (preset tsan): in-process tests =="
if cmake --preset tsan >/dev/null && cmake --build --preset tsan -j "$jobs" --target primbench_tests; then
  ctest --preset tsan -j "$jobs" --output-on-failure -R "$tsan_tests" || status=1
else
  status=1
fi
exit "$status"
