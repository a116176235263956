#!/usr/bin/env python3
"""What counting costs: the same benchmarks with counters on (the default) and
with `--counters none`, in interleaved rounds, on the two round trips whose
goals issue 18 sets:

  pipe/pipe/processes/same-pu/rtt/8   within 2 %  (2 context switches and 4
                                      system calls per round trip: the kernel
                                      work the software events and the
                                      syscall tracepoint hook into)
  c2c/rtt/threads/<class>             within 5 %  (the first cross-PU class
                                      present: a cache-line round trip, no
                                      kernel at all)

Each round runs both sides back to back, in alternating order, and the verdict
is the median of the rounds' on/off ratios of the median round trip (p50_ns:
on two vCPUs one preempted spin of the c2c pair moves GB's mean by 10x;
real_time is printed too). This class of machine changes speed for seconds at
a time: adjacent sides compare, distant ones do not.

With --profile it measures what `run --profile` (perf record sampling every
benchmark process) adds instead: both sides count with the default counters,
one side also samples. Sampling has no goal; the script says what it costs.

Usage: scripts/counters_overhead.py [--rounds N] [--min-time S] [--counters SET | --profile] [--json FILE]
       (--counters: what "on" means, default `default`; `syscalls` measures the tracepoint too)
Environment: PRIMBENCH_EXE (default build/release/primbench).
Exit 0 when both goals are met, 1 when not, 2 when primbench could not run.
"""
import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
PIPE = "pipe/pipe/processes/same-pu/rtt/8"
GOALS = {"pipe": 0.02, "c2c": 0.05}


def measure(exe, counters, min_time, out, extra=()):
    """One primbench run of both benchmarks: {"pipe": ns, "c2c": ns, "c2c_name": name}."""
    cmd = [exe, "run", "--family", "pipe,c2c", "--filter", f"^({PIPE}|c2c/rtt/threads/[a-z0-9-]+)$",
           "--counters", counters, f"--benchmark_min_time={min_time}", "--out", out, "--force", *extra]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"counters_overhead: {' '.join(cmd)} failed ({done.returncode}):\n{done.stderr}")
    doc = json.loads(pathlib.Path(out, "results.json").read_text())
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}
    times = {}
    for e in doc["benchmarks"]:
        if e.get("error_occurred") or e.get("run_type") != "iteration":
            continue
        mean = e["real_time"] * scale[e.get("time_unit", "ns")]
        if e["name"].startswith(PIPE + "/"):
            key = "pipe"
        elif e["name"].startswith("c2c/rtt/threads/") and "/same-pu" not in e["name"] and "c2c" not in times:
            key, times["c2c_name"] = "c2c", e["run_name"]
        else:
            continue
        times[key], times[key + "_mean"] = e.get("p50_ns", mean), mean
    if "pipe" not in times or "c2c" not in times:
        sys.exit(f"counters_overhead: the results lack {PIPE} or a cross-PU c2c/rtt/threads entry")
    return times


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--min-time", type=float, default=0.3, help="Google Benchmark's min time per benchmark, s")
    ap.add_argument("--counters", default="default", help="the counters of the 'on' side (run --counters)")
    ap.add_argument("--profile", action="store_true", help="measure run --profile (both sides keep the default counters)")
    ap.add_argument("--json", help="write every round's times here")
    args = ap.parse_args()
    exe = os.environ.get("PRIMBENCH_EXE", str(ROOT / "build/release/primbench"))
    if not os.access(exe, os.X_OK):
        sys.exit(f"counters_overhead: primbench not found at {exe} (build it, or set PRIMBENCH_EXE)")
    rounds = []
    with tempfile.TemporaryDirectory(prefix="primbench-counters-overhead-") as work:
        for r in range(args.rounds):
            order = ["on", "none"] if r % 2 == 0 else ["none", "on"]
            if args.profile:
                sides = {c: measure(exe, "default", args.min_time, os.path.join(work, c),
                                    ["--profile"] if c == "on" else []) for c in order}
            else:
                sides = {c: measure(exe, args.counters if c == "on" else c, args.min_time, os.path.join(work, c))
                         for c in order}
            rounds.append(sides)
            on, off = sides["on"], sides["none"]
            print(f"round {r + 1} ({'profiled / not' if args.profile else 'counters on / off'}): pipe p50 {on['pipe']:.0f} / {off['pipe']:.0f} ns "
                  f"(mean {on['pipe_mean']:.0f} / {off['pipe_mean']:.0f}), {on['c2c_name']} p50 {on['c2c']:.1f} / "
                  f"{off['c2c']:.1f} ns (mean {on['c2c_mean']:.1f} / {off['c2c_mean']:.1f})", flush=True)
    ok = True
    for key, goal in GOALS.items():
        ratios = [s["on"][key] / s["none"][key] for s in rounds]
        change = statistics.median(ratios) - 1
        met = change <= goal or args.profile  # sampling has no goal: the figure is the answer
        ok = ok and met
        name = PIPE if key == "pipe" else rounds[0]["on"]["c2c_name"]
        what = "--profile" if args.profile else f"--counters {args.counters}"
        verdict = "" if args.profile else f"; goal <= {goal * 100:.0f} %: {'met' if change <= goal else 'NOT met'}"
        print(f"{name}: {what} costs {change * 100:+.1f} % (median of {len(ratios)} round ratios of p50, "
              f"range {(min(ratios) - 1) * 100:+.1f} .. {(max(ratios) - 1) * 100:+.1f} %){verdict}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps({"counters": args.counters, "rounds": rounds, "goals": GOALS}, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
