#!/usr/bin/env python3
"""Our rings against the packaged queues of their class, measured side by side.

Issue 3's goal: the SPSC ring and the MPMC ring at >= 1.0x the best packaged
peer of their class on throughput (stream msgs/s) and <= 1.0x on latency
(round-trip p50). On a shared or virtual machine the speed of a core can
change by 2x for seconds at a time (another tenant on the host's sibling
hyperthread), so medians taken minutes apart do not compare. Each round here
measures every (measure, size) group on its own, within a few seconds: our
ring first, then the peers (in an order that alternates between rounds),
then our ring again. Ours is the geometric mean of its two runs; the
round's ratio is ours / the best peer of that round; the verdict is the
median of the rounds' ratios.

The second run of our ring is an A/A control: the same code a few seconds
later. A round whose two runs differ by more than 10 % saw the machine change
speed and is left out (a group with fewer than half its rounds left is
"unstable", unless it is "met despite noise": in every round, kept or not,
even the slower of our two runs met the goal against the best peer). The
control's premise is that the machine ran the peers, measured between our
two runs, at a speed between its speeds in those two; a round's worst case
under it is our slower run against the peer, so a group that met the goal
in every round's worst case met it whatever the speed changes. The median A/A difference of the kept rounds is the
noise floor: a ratio that misses its goal by less than that is reported
"within noise", not "met" (the measured difference is smaller than what
separates our ring from itself).

Why not `primbench compare`'s statistics: compare asks whether one benchmark
changed between two runs; this asks whether one benchmark beats the best of
other benchmarks, measured in the same round, by a fixed goal.

  spsc class:  spsc-ring  vs boost-spsc, moodycamel-rwq
  mpmc class:  mpmc-ring  vs boost-queue, moodycamel-cq, tbb-bounded
All in threads mode (the peers are in-process queues), on one pair class
(default: the first cross-PU class present; --class overrides).

Usage: scripts/ring_vs_peers.py [--rounds 5] [--sizes 8,32,128,2048] [--class cross-l3]
                                [--primbench build/release/primbench] [--json out.json]
       scripts/ring_vs_peers.py --pool run1.json run2.json ...
--pool measures nothing: it judges the rounds of earlier runs (their --json
files, one pair class) together, for a verdict across the machine's moods
(a VM can spend minutes in one speed mode, and ratios differ by mode); runs
of different --sizes pool too, each size judged on the rounds that measured it.
Exit: 0 when every goal is met (or met despite noise), 1 when one is missed (or within noise, or unstable),
2 on bad input or a failed run.
"""
import argparse
import json
import math
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
    p.add_argument("--pool", nargs="+", metavar="JSON", default=None,
                   help="measure nothing: judge the rounds that earlier runs wrote with --json, pooled")
    a = p.parse_args()
    if a.rounds < 1:
        fail("--rounds must be at least 1")
    try:
        a.sizes = [int(s) for s in a.sizes.split(",")]
    except ValueError:
        fail(f"--sizes takes comma-separated byte counts, not {a.sizes!r}")
    if not a.pool and not os.access(a.primbench, os.X_OK):
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


AA_LIMIT = 0.10  # a round whose two runs of our ring differ by more is left out


def one_round(exe, pair_class, sizes, work, peers_reversed):
    """{(class, measure, size): {"ours": [first, last], peer: value, ...}} for one round."""
    groups = {}
    for cls, (ours, peers) in CLASSES.items():
        order = list(reversed(peers)) if peers_reversed else list(peers)
        for measure in MEASURES:
            for size in sizes:
                def measured(name):
                    regex = f"^queue/{name}/threads/{pair_class}/{measure}/{size}$"
                    return run_filter(exe, regex, [size], work).get((name, measure, size))
                group = {"ours": [measured(ours)]}
                for peer in order:
                    group[peer] = measured(peer)
                group["ours"].append(measured(ours))
                groups[(cls, measure, size)] = group
    return groups


def goal_margin(ratio, larger_better):
    """How far a ratio (ours / peer) beats the goal of 1.0; negative: misses it."""
    return (ratio - 1.0) if larger_better else (1.0 - ratio)


def judge(rounds, key, peers, larger_better):
    """The verdict on one (class, measure, size) group over the rounds that
    measured it (pooled runs may differ in sizes). Its figures come from the
    rounds kept by the A/A control, or, where fewer than half were kept
    ("unstable", "met despite noise"), from every round."""
    rounds = [r for r in rounds if key in r]
    every = []
    for r in rounds:
        group = r[key]
        first, last = group["ours"]
        theirs = {p: group[p] for p in peers if group.get(p) is not None}
        if first is None or last is None or not theirs:
            continue
        best = (max if larger_better else min)(theirs, key=theirs.get)
        slower = min(first, last) if larger_better else max(first, last)  # the round's worst case
        mine = math.sqrt(first * last)
        aa_diff = abs(last / first - 1)
        every.append({"ours": mine, "best_peer": best, "peer": theirs[best], "ratio": mine / theirs[best],
                      "aa": aa_diff, "worst_case_met": goal_margin(slower / theirs[best], larger_better) >= 0})
    if not every:
        return {"verdict": "no measurement", "kept_rounds": 0, "rounds": len(rounds)}
    kept = [e for e in every if e["aa"] <= AA_LIMIT]
    if 2 * len(kept) < len(rounds):
        shown = every
        robust = len(every) == len(rounds) and all(e["worst_case_met"] for e in every)
        verdict = "met despite noise" if robust else "unstable"
    else:
        shown = kept
        shortfall = -goal_margin(statistics.median(e["ratio"] for e in kept), larger_better)
        noise = statistics.median(e["aa"] for e in kept)
        verdict = "met" if shortfall <= 0 else "within noise" if shortfall <= noise else "MISSED"
    ratios = [e["ratio"] for e in shown]
    names = [e["best_peer"] for e in shown]
    best_peer = max(set(names), key=names.count)
    return {"verdict": verdict, "kept_rounds": len(kept), "rounds": len(rounds), "ratios_by_round": ratios,
            "median_ratio": statistics.median(ratios), "aa_noise": statistics.median(e["aa"] for e in shown),
            "best_peer": best_peer, "ours_median": statistics.median(e["ours"] for e in shown),
            "peer_median": statistics.median(e["peer"] for e in shown if e["best_peer"] == best_peer)}

def pooled_rounds(paths):
    """(pair class, sizes, rounds) from files written by --json, all of one pair
    class; sizes is every size any of them measured (each judged on its own rounds)."""
    classes, rounds = set(), []
    for path in paths:
        try:
            with open(path) as f:
                doc = json.load(f)
            classes.add(doc["pair_class"])
            for r in doc["rounds"]:
                rounds.append({(k.split("/")[0], k.split("/")[1], int(k.split("/")[2])): g for k, g in r.items()})
        except (OSError, ValueError, KeyError, IndexError, AttributeError) as e:
            fail(f"{path}: not a file written by --json ({e.__class__.__name__}: {e})")
    if len(classes) != 1:
        fail(f"--pool: the files measured different pair classes ({', '.join(sorted(classes))})")
    for r in rounds:  # a run measures every class and measure at each of its sizes
        own = {size for (_, _, size) in r}
        if set(r) != {(c, m, z) for c in CLASSES for m in MEASURES for z in own}:
            fail("--pool: a round lacks some class or measure at its sizes (a file not written by --json?)")
    return classes.pop(), sorted({size for r in rounds for (_, _, size) in r}), rounds


def main():
    a = parse_args()
    if a.pool:
        pair_class, a.sizes, rounds = pooled_rounds(a.pool)
        a.rounds = len(rounds)
    else:
        pair_class = a.pair_class or default_class(a.primbench)
        rounds = []
        with tempfile.TemporaryDirectory(prefix="primbench-ring-vs-peers-") as work:
            for r in range(a.rounds):
                rounds.append(one_round(a.primbench, pair_class, a.sizes, work, peers_reversed=r % 2 == 1))
                print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)

    pooled = " pooled (kept: of the rounds that measured that size)" if a.pool else ""
    print(f"rings vs packaged peers, threads, {pair_class}, {a.rounds} rounds{pooled} (ratio = ours / best peer of the "
          f"round; goal: stream >= 1.0, rtt <= 1.0; A/A = our ring against itself, rounds above "
          f"{AA_LIMIT:.0%} left out)")
    print(f"{'class':5} {'measure':7} {'size':>6}  {'ours':>10} {'best peer':>25}  "
          f"{'ratio':>6} {'range':>11} {'A/A':>5} {'kept':>4}  verdict")
    counts, report = {}, []
    for cls, (ours, peers) in CLASSES.items():
        for measure, (_, larger_better) in MEASURES.items():
            for size in a.sizes:
                v = judge(rounds, (cls, measure, size), peers, larger_better)
                counts[v["verdict"]] = counts.get(v["verdict"], 0) + 1
                report.append({"class": cls, "measure": measure, "size": size, "ours": ours, **v})
                if "median_ratio" not in v:
                    print(f"{cls:5} {measure:7} {size:>6}  ({v['verdict']}: unavailable or failed in every round)")
                    continue
                unit = "msg/s" if measure == "stream" else "ns p50"
                r = v["ratios_by_round"]
                print(f"{cls:5} {measure:7} {size:>6}  {v['ours_median']:>10.4g} {v['best_peer']:>15} "
                      f"{v['peer_median']:>9.4g}  {v['median_ratio']:>6.3f} {min(r):>5.2f}-{max(r):<5.2f} "
                      f"{v['aa_noise']:>5.1%} {v['kept_rounds']:>2}/{v['rounds']:<2} {v['verdict']} ({unit})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"pair_class": pair_class, "aa_limit": AA_LIMIT,
                       "rounds": [{"/".join(map(str, k)): g for k, g in r.items()} for r in rounds],
                       "verdicts": report}, f, indent=1)
    print(", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())), flush=True)
    return 0 if set(counts) <= {"met", "met despite noise"} else 1


if __name__ == "__main__":
    sys.exit(main())
