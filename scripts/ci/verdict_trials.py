#!/usr/bin/env python3
"""How trustworthy is the CI verdict on this runner? Two experiments.

  aa      runs the README's CI command (scripts/ci/compare_builds.sh) with one
          build as both sides, TRIALS times back to back, and counts the change
          verdicts each trial gave (there is no change, so every one is a false
          alarm). Pass: no regression, at most 1 % of compared benchmarks with
          any change verdict, exit 0, in every trial.
  inject  builds primbench with a known extra cost after every stream read of
          the pipe family (PRIMBENCH_INJECT_READ_DELAY_NS: once per streamed
          message, twice per round trip), runs the CI command
          with the plain build as base and the slowed one as candidate, and
          counts regressions among the affected benchmarks (pipe, unix-stream,
          fifo and tcp of the pipe family) and among the rest. Pass: at least
          90 % of the benchmarks whose expected slowdown is 10 % or more are
          flagged, and none of the unaffected ones. Detection is also shown by
          expected slowdown (10-25 %, 25-50 %, 50-100 %, over 100 %).

Each prints a table and writes OUT/summary.json; the last A/A trial's
noise.json gives the per-family A/A threshold and minimum detectable effect.

Usage:
  scripts/ci/verdict_trials.py aa --primbench build/release/primbench [--trials 5] [--rounds 6] [--out DIR] [-- RUN_ARGS]
  scripts/ci/verdict_trials.py inject --primbench build/release/primbench [--delay-ns 15000] [--injected EXE]
                               [--rounds 6] [--out DIR] [-- RUN_ARGS]
RUN_ARGS default to --quick.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COMPARE_BUILDS = os.path.join(HERE, "compare_builds.sh")
AFFECTED = re.compile(r"^pipe/(pipe|unix-stream|fifo|tcp)/")
CHANGES = ("regression", "improvement")


def run_ci_command(base, new, out, run_args, rounds):
    start = time.monotonic()
    status = subprocess.call([COMPARE_BUILDS, base, new, out, "--"] + run_args, env=dict(os.environ, ROUNDS=str(rounds)))
    with open(os.path.join(out, "compare.json"), encoding="utf-8") as f:
        return status, json.load(f), time.monotonic() - start


def compared(rows):
    """Rows that measured on both sides (not failed, unavailable or one-sided)."""
    return [r for r in rows if r["verdict"] not in ("not compared", "failed")]


def aa(args, run_args):
    trials = []
    for trial in range(1, args.trials + 1):
        out = os.path.join(args.out, f"trial-{trial}")
        status, result, seconds = run_ci_command(args.primbench, args.primbench, out, run_args, args.rounds)
        rows = compared(result["results"])
        changes = [r for r in rows if r["verdict"] in CHANGES]
        regressions = [r for r in rows if r["verdict"] == "regression"]
        share = len(changes) / len(rows) if rows else 0.0
        counts = {v: n for v, n in result["summary"].items() if n}
        trials.append({"trial": trial, "exit": status, "compared": len(rows), "tested": result["summary"]["tested"],
                       "regressions": len(regressions), "changes": len(changes), "change_share": share,
                       "verdicts": counts, "seconds": round(seconds),
                       "changed": [(r["benchmark"], r["verdict"], r["change"]) for r in changes],
                       "passed": status == 0 and not regressions and share <= 0.01})
        t = trials[-1]
        print(f"trial {trial}: exit {status}, {t['compared']} compared, {t['tested']} tested, "
              f"{len(regressions)} regressions, {len(changes)} changes ({share:.1%}), {t['seconds']} s: "
              f"{'PASS' if t['passed'] else 'FAIL'}  {counts}", flush=True)
    with open(os.path.join(args.out, f"trial-{args.trials}", "noise.json"), encoding="utf-8") as f:
        noise = json.load(f)
    print("\nA/A noise and minimum detectable effect per family (last trial):")
    print(f"{'family':<10} {'benchmarks':>10} {'threshold':>10} {'round noise':>12} {'MDE':>8}")
    for family, n in sorted(noise["families"].items()):
        if n["threshold"] is None:
            print(f"{family:<10} {n['reason']}")
            continue
        rn = n["median_round_noise"]
        print(f"{family:<10} {n['benchmarks']:>10} {n['threshold']:>10.1%} "
              f"{(f'{rn:.1%}' if rn is not None else '-'):>12} {n['minimum_detectable_effect']:>8.1%}")
    return {"experiment": "aa", "rounds": args.rounds, "trials": trials, "noise": noise,
            "passed": all(t["passed"] for t in trials)}


def build_injected(delay_ns, build_dir):
    subprocess.check_call(["cmake", "-S", ROOT, "-B", build_dir, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                           "-DPRIMBENCH_BUILD_TESTS=OFF", f"-DPRIMBENCH_INJECT_READ_DELAY_NS={delay_ns}"],
                          stdout=subprocess.DEVNULL)
    subprocess.check_call(["cmake", "--build", build_dir, "--target", "primbench"], stdout=subprocess.DEVNULL)
    return os.path.join(build_dir, "primbench")


def reads_per_op(name):
    return 2 if "/rtt/" in name else 1


BUCKETS = ((0.10, 0.25), (0.25, 0.50), (0.50, 1.00), (1.00, float("inf")))


def inject(args, run_args):
    slowed = args.injected or build_injected(args.delay_ns, os.path.join(args.out, "build-injected"))
    status, result, seconds = run_ci_command(args.primbench, slowed, os.path.join(args.out, "ab"), run_args, args.rounds)
    rows = compared(result["results"])
    affected, unaffected = [], []
    for r in rows:
        if not AFFECTED.match(r["benchmark"]):
            unaffected.append(r)
            continue
        base = r["base"]["median"]
        expected = args.delay_ns * reads_per_op(r["benchmark"]) / base if base else None
        affected.append(dict(r, expected=expected))
    big = [r for r in affected if r["expected"] is not None and r["expected"] >= 0.10]
    caught = [r for r in big if r["verdict"] == "regression"]
    false = [r for r in unaffected if r["verdict"] == "regression"]
    print(f"injected {args.delay_ns} ns after each stream read, {args.rounds} rounds: exit {status}, {seconds:.0f} s")
    print(f"{'benchmark':<58} {'expected':>9} {'measured':>9} verdict")
    for r in sorted(affected, key=lambda r: r["benchmark"]):
        exp = f"{r['expected']:+.0%}" if r["expected"] is not None else "-"
        got = f"{r['change']:+.0%}" if r["change"] is not None else "-"
        print(f"{r['benchmark']:<58} {exp:>9} {got:>9} {r['verdict']}")
    share = len(caught) / len(big) if big else 0.0
    print(f"\naffected with an expected slowdown >= 10 %: {len(caught)} of {len(big)} flagged ({share:.0%}); "
          f"unaffected flagged as regressions: {len(false)} of {len(unaffected)}")
    for r in false:
        print(f"  false alarm: {r['benchmark']} {r['change']:+.1%}")
    by_size = []
    for low, high in BUCKETS:
        rows_in = [r for r in big if low <= r["expected"] < high]
        hits = sum(r["verdict"] == "regression" for r in rows_in)
        by_size.append({"expected_from": low, "expected_to": None if high == float("inf") else high,
                        "benchmarks": len(rows_in), "flagged": hits})
        if rows_in:
            print(f"  expected {low:.0%}-{'' if high == float('inf') else f'{high:.0%}'}: "
                  f"{hits} of {len(rows_in)} flagged")
    return {"experiment": "inject", "delay_ns": args.delay_ns, "exit": status, "affected": len(affected),
            "rounds": args.rounds, "affected_10pct": len(big), "caught": len(caught), "by_expected": by_size,
            "unaffected": len(unaffected),
            "false_alarms": [r["benchmark"] for r in false],
            "rows": [(r["benchmark"], r["expected"], r["change"], r["verdict"]) for r in affected],
            "passed": bool(big) and share >= 0.9 and not false}


def main():
    argv = sys.argv[1:]
    run_args = ["--quick"]
    if "--" in argv:
        cut = argv.index("--")
        argv, run_args = argv[:cut], argv[cut + 1:]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment", choices=["aa", "inject"])
    parser.add_argument("--primbench", default=os.path.join(ROOT, "build/release/primbench"))
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--delay-ns", type=int, default=15000)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--injected", help="an already built primbench with --delay-ns injected (skips the build)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    args.primbench = os.path.abspath(args.primbench)
    args.out = os.path.abspath(args.out or os.path.join("results", f"verdict-{args.experiment}"))
    os.makedirs(args.out, exist_ok=True)
    summary = aa(args, run_args) if args.experiment == "aa" else inject(args, run_args)
    with open(os.path.join(args.out, "summary.json"), "w", encoding="utf-8") as f:
        json.dump(summary, f, indent=1)
    print(f"\n{'PASS' if summary['passed'] else 'FAIL'}; {os.path.join(args.out, 'summary.json')}")
    return 0 if summary["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
