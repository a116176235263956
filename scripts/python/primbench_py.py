#!/usr/bin/env python3
"""primbench's CPython programs: one entry point.

  primbench_py.py --list [options]             the benchmark names these options select
  primbench_py.py --list-groups                the groups, with what each measures
  primbench_py.py --list-pairs [options]       name <TAB> native name (or -) <TAB> status, from pairing.json
  primbench_py.py [--bench GROUP|NAME] [options]   run; one JSON document on stdout

Exit status: 0 the document is complete (failed benchmarks are error entries
in it), 2 bad input (one line on stderr), 128+N interrupted by signal N (the
document holds what was measured). See README.md beside this file.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pybench import deadline, pairing, registry, results, runner  # noqa: E402
from pybench.catalog import GROUPS  # noqa: E402
from pybench.options import UsageError, parse  # noqa: E402


def main(argv: list) -> int:
    try:
        opts, selectors, list_names, list_groups, list_pairs = parse(argv)
        if list_groups:
            for g in GROUPS:
                print("%-16s %s" % (g.id, g.summary))
            return 0
        variants = registry.select(selectors, GROUPS, opts)
    except UsageError as exc:
        print("primbench_py.py: %s" % exc, file=sys.stderr)
        return 2
    if list_names:
        for v in variants:
            print(v.name)
        return 0
    if list_pairs:
        rules = pairing.load()
        for v in variants:
            rule, native = pairing.native_for(v.name, rules)
            print("%s\t%s\t%s" % (v.name, native or "-", rule["status"]))
        return 0
    deadline.stop_on_signals()
    entries, records, status = runner.run_all(variants, opts)
    sys.stdout.write(results.dumps(results.document(entries, records)) + "\n")
    sys.stdout.flush()
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
