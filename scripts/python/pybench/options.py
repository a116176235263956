"""The command line of primbench_py.py, and what a benchmark asks of it."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field, replace

from . import placement
from .workers import START_METHODS, mp_context

MODES = ("threads", "processes")
DEFAULT_DEADLINE_S = 100.0  # below the harness's 120 s watchdog: our own cleanup runs first


class UsageError(Exception):
    """Bad input: one line on stderr, exit status 2."""


@dataclass
class Options:
    pus: list = None  # OS CPU indexes, or None: chosen per benchmark kind
    placement: str = None
    mode: str = None  # None: every mode a benchmark has
    workers: int = None
    size: int = None
    min_time: float = 0.1
    repetitions: int = 1
    smoke: bool = False
    count: int = None
    start_method: str = None
    deadline: float = DEFAULT_DEADLINE_S
    inject_fault: bool = False
    session: dict = field(default_factory=dict)  # shared by the benchmarks of one invocation

    def overridden(self, **changes) -> "Options":
        return replace(self, **changes)

    # --- what the benchmarks ask ---------------------------------------
    def pair(self) -> tuple:
        """Side A's and side B's PU: --pus A,B; one PU is the same-pu pair."""
        pus = self.pus or placement.allowed_pus()[:1]
        return pus[0], pus[1] if len(pus) > 1 else pus[0]

    def single_pu(self) -> int:
        return (self.pus or placement.allowed_pus())[0]

    def worker_pus(self) -> list:
        return list(self.pus) if self.pus else placement.allowed_pus()

    def worker_count(self) -> int:
        return self.workers if self.workers else len(set(self.worker_pus()))

    def pair_placement(self) -> str:
        """The placement class of a pair; without --placement only same-pu is known."""
        if self.placement:
            return self.placement
        a, b = self.pair()
        return "same-pu" if a == b else "unclassified"

    def group_placement(self) -> str:
        """The placement policy of N workers (compact, spread, cores: the harness knows)."""
        return self.placement or "unclassified"

    def modes(self, available=MODES) -> list:
        return [m for m in available if self.mode in (None, m)]

    def context(self):
        """The multiprocessing context worker processes are started with (default fork,
        as the native harness forks its workers)."""
        return mp_context(self.start_method or "fork")


def _pu_list(text: str) -> list:
    try:
        pus = [int(x) for x in text.split(",") if x.strip() != ""]
    except ValueError:
        raise argparse.ArgumentTypeError("expected OS CPU indexes like 0,1, not %r" % text) from None
    if not pus or any(p < 0 for p in pus):
        raise argparse.ArgumentTypeError("expected OS CPU indexes like 0,1, not %r" % text)
    return pus


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected a whole number, not %r" % text) from None
    if value < 1:
        raise argparse.ArgumentTypeError("expected a number >= 1, not %d" % value)
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("expected seconds, not %r" % text) from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError("expected a positive number of seconds, not %r" % text)
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parser() -> argparse.ArgumentParser:
    p = _Parser(prog="primbench_py.py",
                description="What CPython's concurrency primitives cost, named and shaped like primbench's "
                            "native benches (py/ prefix). Prints one JSON document on stdout.")
    p.add_argument("--list", action="store_true", help="print the benchmark names these options select, one per line")
    p.add_argument("--list-groups", action="store_true", help="print the benchmark groups with a summary")
    p.add_argument("--list-pairs", action="store_true",
                   help="print name<TAB>native counterpart (or -)<TAB>status for the names these options select")
    p.add_argument("--bench", action="append", default=[], metavar="NAME",
                   help="a group (see --list-groups) or a full name from --list; repeatable, or comma-separated")
    p.add_argument("--pus", type=_pu_list, metavar="A,B",
                   help="OS CPU indexes: side A,B of a pair, or the workers' PUs in order")
    p.add_argument("--placement", metavar="CLASS", help="the placement's name in benchmark names (same-pu, shared-l3, compact, ...)")
    p.add_argument("--mode", choices=MODES)
    p.add_argument("--workers", type=_positive_int, metavar="N")
    p.add_argument("--size", type=_positive_int, metavar="BYTES")
    p.add_argument("--min-time", type=_positive_float, default=None, metavar="SECONDS",
                   help="timed seconds per repetition (default 0.1; --smoke: 0.01)")
    p.add_argument("--repetitions", type=_positive_int, default=1, metavar="R")
    p.add_argument("--smoke", action="store_true", help="few sizes, short runs: well under a second per group")
    p.add_argument("--count", type=_positive_int, metavar="N", help="countdown start (default 100000000; --smoke: 200000)")
    p.add_argument("--start-method", choices=START_METHODS,
                   help="how worker processes start (default fork; the spawn group measures all three unless given)")
    p.add_argument("--deadline", type=_positive_float, default=DEFAULT_DEADLINE_S, metavar="SECONDS",
                   help="per repetition; past it the benchmark is an error entry (default %g)" % DEFAULT_DEADLINE_S)
    p.add_argument("--inject-fault", action="store_true",
                   help="for tests: make each benchmark's correctness check see one fault (a skipped sequence "
                        "number, a missing increment, a wrong result) so that it must become an error entry")
    return p


def parse(argv: list) -> tuple:
    """(Options, the --bench selectors, list?, list_groups?, list_pairs?)"""
    a = parser().parse_args(argv)
    min_time = a.min_time if a.min_time is not None else (0.01 if a.smoke else 0.1)
    opts = Options(pus=a.pus, placement=a.placement, mode=a.mode, workers=a.workers, size=a.size,
                   min_time=min_time, repetitions=a.repetitions, smoke=a.smoke, count=a.count,
                   start_method=a.start_method, deadline=a.deadline, inject_fault=a.inject_fault)
    if opts.pus:
        allowed = set(placement.allowed_pus())
        outside = [p for p in opts.pus if p not in allowed]
        if outside:
            raise UsageError("--pus %s: PU %s not allowed here (allowed: %s)"
                             % (",".join(map(str, opts.pus)), ",".join(map(str, outside)),
                                ",".join(map(str, sorted(allowed)))))
    selectors = [s for item in a.bench for s in item.split(",") if s]
    return opts, selectors, a.list, a.list_groups, a.list_pairs
