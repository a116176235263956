#!/usr/bin/env bash
# Same-PU pipe round trip: primbench against `perf bench sched pipe`, in one
# script run, on the same CPU, like with like.
#
# What each side does (so the numbers compare):
#   perf bench sched pipe   two processes (fork; -T would make them threads),
#                           two pipes, each loop writes one int (4 bytes) and
#                           reads one back; usecs/op = wall time / loops, i.e.
#                           the MEAN ROUND TRIP. Pinned with taskset -c CPU,
#                           so both processes share that one PU.
#   primbench               pipe/pipe/processes/same-pu/rtt/8: two processes
#                           pinned to the same PU, two pipes, an 8-byte message
#                           each way (the smallest that carries a sequence
#                           number and a checksum, checked on both sides).
#                           Google Benchmark's real_time per iteration is the
#                           mean round trip; the histogram's p50 is shown too.
# The 4 extra bytes per direction cost nanoseconds against microseconds of
# context switching; the checksum of an 8-byte message is a few ns.
#
# Usage: scripts/perf_pipe_compare.sh [ROUNDS]   (default 3, interleaved; the verdict is the
#        median of the rounds' primbench/perf ratios)
# Environment: PRIMBENCH_EXE (default build/release/primbench), PERF_LOOPS (default 200000).
# Exits 0 with a note when perf is unavailable; the target is |ratio - 1| <= 5 %.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
exe=${PRIMBENCH_EXE:-$here/build/release/primbench}
rounds=${1:-3}
loops=${PERF_LOOPS:-200000}
bench='pipe/pipe/processes/same-pu/rtt/8'

if ! command -v perf >/dev/null 2>&1 || ! perf bench sched pipe -l 10 >/dev/null 2>&1; then
  echo "perf_pipe_compare: NOTE: 'perf bench sched pipe' is unavailable here (Debian: linux-perf); nothing compared."
  exit 0
fi
if [[ ! -x $exe ]]; then
  echo "perf_pipe_compare: primbench not found at $exe (build it, or set PRIMBENCH_EXE)" >&2
  exit 2
fi
command -v taskset >/dev/null || { echo "perf_pipe_compare: taskset (util-linux) is needed" >&2; exit 2; }

work=$(mktemp -d -t primbench-perf-compare-XXXXXX)
trap 'rm -rf "$work"' EXIT

# One primbench measurement: prints "<mean_ns> <p50_ns> <cpu>".
primbench_once() {
  "$exe" run --family pipe --filter "^${bench}\$" --out "$work/pb" --force >"$work/pb.log" 2>&1 ||
    { cat "$work/pb.log" >&2; exit 2; }
  python3 - "$work/pb/results.json" "$bench" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
# Google Benchmark appends its suffixes ("/real_time") to the registered name.
entry = next(e for e in doc["benchmarks"] if e["name"] == sys.argv[2] or e["name"].startswith(sys.argv[2] + "/"))
if entry.get("error_occurred"):
    sys.exit(f"perf_pipe_compare: {sys.argv[2]}: {entry.get('error_message')}")
scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[entry.get("time_unit", "ns")]
record = doc["primbench"]["benchmarks"][entry.get("run_name", entry["name"])]
print(entry["real_time"] * scale, entry["p50_ns"], record["extra"]["pair"][0])
EOF
}

# One perf measurement on `cpu`: prints the mean round trip in ns.
perf_once() {
  taskset -c "$1" perf bench sched pipe -l "$loops" 2>&1 |
    awk '/usecs\/op/ { printf "%.1f\n", $1 * 1000; found = 1 } END { if (!found) exit 1 }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { m = int((NR + 1) / 2); if (NR % 2) print v[m]; else print (v[m] + v[m + 1]) / 2 }'; }

pb_means=() pb_p50s=() perf_means=()
for ((r = 1; r <= rounds; r++)); do
  read -r mean p50 cpu < <(primbench_once)
  pb_means+=("$mean") pb_p50s+=("$p50")
  perf_means+=("$(perf_once "$cpu")")
  printf 'round %d (CPU %s): primbench mean %.0f ns (p50 %.0f ns), perf %.0f ns\n' "$r" "$cpu" "$mean" "$p50" "${perf_means[-1]}"
done

pb=$(printf '%s\n' "${pb_means[@]}" | median)
pb50=$(printf '%s\n' "${pb_p50s[@]}" | median)
pf=$(printf '%s\n' "${perf_means[@]}" | median)
# The machine's speed drifts between rounds (a VM's host moves it by up to
# 2x for seconds at a time): each round's two measurements are adjacent, so
# each round's ratio is taken, and their median is the verdict.
python3 - "$pb" "$pb50" "$pf" "$cpu" "${pb_means[*]}" "${perf_means[*]}" <<'EOF'
import statistics, sys
pb, pb50, pf, cpu = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
ratios = sorted(float(a) / float(b) for a, b in zip(sys.argv[5].split(), sys.argv[6].split()))
ratio = statistics.median(ratios)
print(f"same-PU pipe round trip on CPU {cpu}, processes, medians of the rounds:")
print(f"  primbench {pb:8.0f} ns mean  ({pb50:.0f} ns p50)  [8-byte message each way]")
print(f"  perf      {pf:8.0f} ns mean                [4-byte int each way]")
print(f"  ratio of the medians = {pb / pf:.3f}")
print(f"  per-round ratios primbench/perf: {', '.join(f'{r:.3f}' for r in ratios)}")
print(f"  median per-round ratio = {ratio:.3f}  ({'within' if abs(ratio - 1) <= 0.05 else 'OUTSIDE'} the +-5 % target)")
EOF
