"""Runs the selected variants, one repetition at a time, each under its
deadline, and turns every failure into an error entry."""
from __future__ import annotations

import os
import time

from . import results
from .deadline import DeadlineExceeded, deadline
from .errors import FAULT_NOTE, describe


def run_variant(variant, opts, home_mask: set) -> tuple:
    """(entries, record) of one benchmark over --repetitions."""
    entries, last, error = [], None, None
    reps = opts.repetitions
    began = time.monotonic()
    for index in range(reps):
        os.sched_setaffinity(0, home_mask)  # side A pinned itself in the previous benchmark
        try:
            with deadline(opts.deadline, variant.name):
                m = variant.group.measure(variant, opts)
            entries.append(results.iteration_entry(variant.name, index, reps, m))
            last = m
        except (Exception, DeadlineExceeded) as exc:  # DeadlineExceeded named for the reader: it is an Exception
            error = describe(exc) + (FAULT_NOTE if opts.inject_fault else "")
            entries.append(results.error_entry(variant.name, error, index, reps))
            break  # what failed once fails again: one error entry says it
    record = results.record(variant.group.family, variant.mode, variant.placement, last, error)
    record["elapsed_s"] = time.monotonic() - began  # setup and teardown included: what the benchmark cost to run
    return entries, record


def run_all(variants: list, opts) -> tuple:
    """(entries, records, exit status): 0 when every benchmark ran (error
    entries included); 128 + N when signal N stopped the run, with an error
    entry for the benchmark it interrupted and what was measured before it."""
    home_mask = os.sched_getaffinity(0)
    entries, records, status = [], {}, 0
    for v in variants:
        try:
            e, r = run_variant(v, opts, home_mask)
        except (KeyboardInterrupt, SystemExit) as exc:  # SIGINT; SIGTERM (deadline.stop_on_signals)
            status = 130 if isinstance(exc, KeyboardInterrupt) else (exc.code if isinstance(exc.code, int) else 143)
            entries.append(results.error_entry(v.name, "interrupted by signal %d before it finished" % (status - 128)))
            break
        entries.extend(e)
        records[v.name] = r
    return entries, records, status
