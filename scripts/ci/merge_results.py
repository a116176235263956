#!/usr/bin/env python3
"""Merges result files of one build on one machine into one file of repetitions.

compare_builds.sh runs each build several times, interleaved (A B B A ...), so
that a drift of the machine (a neighbour's job, thermal throttling, a
frequency governor) hits both builds alike. Each of those runs writes its own
results.json; `primbench compare` wants one file per build whose benchmarks
have all the repetitions. This puts every run's iteration entries under one
run_name with repetition_index 0..N-1 and drops GB's aggregates (they
described one run; compare takes the median of the repetitions itself).

Usage: merge_results.py OUT.json RUN1/results.json RUN2/results.json ...
"""
import json
import sys


def merge(paths):
    merged = None
    entries = {}  # run_name -> iteration entries, in order of first appearance
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if merged is None:
            merged = {k: v for k, v in doc.items() if k != "benchmarks"}
            merged.setdefault("primbench", {}).setdefault("errors", [])
        elif "primbench" in doc:
            merged["primbench"]["errors"] += doc["primbench"].get("errors", [])
        for entry in doc["benchmarks"]:
            if entry.get("run_type", "iteration") == "aggregate":
                continue
            entries.setdefault(entry.get("run_name", entry["name"]), []).append(entry)
    if merged is None:
        raise SystemExit("merge_results.py: no input files")
    benchmarks = []
    for runs in entries.values():
        for index, entry in enumerate(runs):
            entry = dict(entry, repetitions=len(runs), repetition_index=index)
            benchmarks.append(entry)
    merged["benchmarks"] = benchmarks
    if "primbench" in merged and "run" in merged["primbench"]:
        merged["primbench"]["run"]["merged_from"] = list(paths)
    return merged


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    merged = merge(argv[2:])
    with open(argv[1], "w", encoding="utf-8") as f:
        json.dump(merged, f, indent=1, allow_nan=False)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
