#!/usr/bin/env python3
"""Our rings against the packaged queues of their class, measured side by side.

Issue 3's goal: the SPSC ring and the MPMC ring at >= 1.0x the best packaged
peer of their class on throughput (stream msgs/s) and <= 1.0x on latency
(round-trip p50). On a shared or virtual machine the speed of a core can
change by 2x for seconds at a time (another tenant on the host's sibling
hyperthread), so medians taken minutes apart do not compare. Each round here
measures every (measure, size) group on its own, the rings and their peers
within a second or two of each other, rings first in even rounds and last in
odd ones (so a steady drift does not favour either side); the verdict is the
median over rounds of each round's own ratio (ours / best peer of that
round), printed beside the ratio of medians and the range of the ratios.

  spsc class:  spsc-ring  vs boost-spsc, moodycamel-rwq
  mpmc class:  mpmc-ring  vs boost-queue, moodycamel-cq, tbb-bounded
All in threads mode (the peers are in-process queues), on one pair class
(default: the first cross-PU class present; --class overrides).

Usage: scripts/ring_vs_peers.py [--rounds 5] [--sizes 8,32,128,2048] [--class cross-l3]
                                [--primbench build/release/primbench] [--json out.json]
Exit: 0 when every goal is met, 1 when one is missed, 2 on bad input or a failed run.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

CLASSES = {
    "spsc": ("spsc-ring", ["boost-spsc", "moodycamel-rwq"]),
    "mpmc": ("mpmc-ring", ["boost-queue", "moodycamel-cq", "tbb-bounded"]),
}
# measure -> (counter, True when larger is better)
MEASURES = {"stream": ("msgs_per_s", True), "rtt": ("p50_ns", False)}


def fail(message):
    print(f"ring_vs_peers: {message}", file=sys.stderr)
    sys.exit(2)


def parse_args():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--sizes", default="8,32,128,2048")
    p.add_argument("--class", dest="pair_class", default=None)
    p.add_argument("--primbench", default=os.path.join(here, "build", "release", "primbench"))
    p.add_argument("--json", default=None, help="also write every round's numbers here")
    a = p.parse_args()
    if a.rounds < 1:
        fail("--rounds must be at least 1")
    try:
        a.sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        fail(f"--sizes takes comma-separated byte counts, not {a.sizes!r}")
    if not os.access(a.primbench, os.X_OK):
        fail(f"primbench not found at {a.primbench} (build it, or pass --primbench)")
    return a


def default_class(exe):
    out = subprocess.run([exe, "plan", "--pairs"], capture_output=True, text=True)
    if out.returncode != 0:
        fail(f"'primbench plan --pairs' failed: {out.stderr.strip()}")
    present = [line.split()[0] for line in out.stdout.splitlines()[1:] if line.split()[1:2] == ["yes"]]
    cross = [c for c in present if c != "same-pu"]
    return (cross or present)[0]


def run_filter(exe, regex, sizes, work):
    """One primbench run of the benchmarks matching regex: {(primitive, measure, size): value}."""
    out_dir = os.path.join(work, "run")
    cmd = [exe, "run", "--family", "queue", "--filter", regex, "--size", ",".join(map(str, sizes)),
           "--out", out_dir, "--force"]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        fail(f"'{' '.join(cmd)}' exited {run.returncode}: {run.stderr.strip().splitlines()[-1:]}")
    with open(os.path.join(out_dir, "results.json")) as f:
        doc = json.load(f)
    values = {}
    for b in doc["benchmarks"]:
        if b.get("error_occurred") or b.get("run_type") != "iteration":
            continue
        parts = b["run_name"].split("/")  # queue/<primitive>/threads/<class>/<measure>/<size>/real_time
        if b.get("placement_ok") != 1:  # a side ran off its requested PU: not the placement compared
            fail(f"{b['run_name']}: a worker did not run where it was pinned")
        primitive, measure, size = parts[1], parts[4], int(parts[5])
        values[(primitive, measure, size)] = b[MEASURES[measure][0]]
    return values


def one_round(exe, pair_class, sizes, work, rings_first):
    rings = [ours for ours, _ in CLASSES.values()]
    peers = [peer for _, class_peers in CLASSES.values() for peer in class_peers]
    values = {}
    for measure in MEASURES:
        for size in sizes:
            def regex(names):
                return f"^queue/({'|'.join(names)})/threads/{pair_class}/{measure}/{size}$"
            if rings_first:  # registration order: the rings run before the peers
                values.update(run_filter(exe, regex(rings + peers), [size], work))
            else:
                values.update(run_filter(exe, regex(peers), [size], work))
                values.update(run_filter(exe, regex(rings), [size], work))
    return values


def main():
    a = parse_args()
    pair_class = a.pair_class or default_class(a.primbench)
    rounds = []
    with tempfile.TemporaryDirectory(prefix="primbench-ring-vs-peers-") as work:
        for r in range(a.rounds):
            rounds.append(one_round(a.primbench, pair_class, a.sizes, work, rings_first=r % 2 == 0))
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)

    print(f"rings vs packaged peers, threads, {pair_class}, {a.rounds} rounds "
          f"(ratio = ours / best peer of the round; goal: stream >= 1.0, rtt <= 1.0)")
    print(f"{'class':5} {'measure':7} {'size':>6}  {'ours':>11} {'best peer':>24}  "
          f"{'ratio/round':>11} {'range':>11} {'of medians':>10}  verdict")
    missed, report = 0, []
    for cls, (ours, peers) in CLASSES.items():
        for measure, (counter, larger_better) in MEASURES.items():
            for size in a.sizes:
                ratios, best_names = [], []
                for values in rounds:
                    mine = values.get((ours, measure, size))
                    theirs = {p: values[(p, measure, size)] for p in peers if (p, measure, size) in values}
                    if mine is None or not theirs:
                        continue
                    best = (max if larger_better else min)(theirs, key=theirs.get)
                    best_names.append(best)
                    ratios.append(mine / theirs[best])
                if not ratios:
                    print(f"{cls:5} {measure:7} {size:>6}  (no measurement: unavailable or failed)")
                    missed += 1
                    continue
                ours_median = statistics.median(v[(ours, measure, size)] for v in rounds)
                best_peer = max(set(best_names), key=best_names.count)
                peer_median = statistics.median(v[(best_peer, measure, size)] for v in rounds
                                                if (best_peer, measure, size) in v)
                ratio = statistics.median(ratios)
                met = ratio >= 1.0 if larger_better else ratio <= 1.0
                missed += not met
                unit = "msg/s" if measure == "stream" else "ns p50"
                print(f"{cls:5} {measure:7} {size:>6}  {ours_median:>11.4g} {best_peer:>14} {peer_median:>9.4g}  "
                      f"{ratio:>11.3f} {min(ratios):>5.2f}-{max(ratios):<5.2f} {ours_median / peer_median:>10.3f}  "
                      f"{'met' if met else 'MISSED'} ({unit})")
                report.append({"class": cls, "measure": measure, "size": size, "ours": ours, "best_peer": best_peer,
                               "ratios_by_round": ratios, "median_ratio": ratio, "met": met})
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"pair_class": pair_class, "rounds": [{f"{k[0]}/{k[1]}/{k[2]}": v for k, v in r.items()}
                                                            for r in rounds], "verdicts": report}, f, indent=1)
    print(f"{missed} goal(s) missed" if missed else "every goal met", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
