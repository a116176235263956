"""Timing loops: batches of operations timed with time.perf_counter_ns.

A sample is the mean of one batch (or one operation when the batch is 1):
reading the clock costs tens of nanoseconds in CPython, so operations shorter
than a few microseconds are timed in batches and the batch size is recorded.
Nothing is subtracted: the loop and clock overhead are part of every sample,
and the clock's own cost is measured and reported next to them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

from .deadline import raise_pending

perf_ns = time.perf_counter_ns  # CLOCK_MONOTONIC on Linux: comparable across processes


@dataclass
class BatchTiming:
    batch: int
    samples_ns: list = field(default_factory=list)  # per-op mean of each timed batch
    ops: int = 0
    timed_ns: int = 0  # sum of the timed batches
    cpu_ns: int = 0  # the timing thread's CPU time over the timed loop

    @property
    def ns_per_op(self) -> float:
        return self.timed_ns / self.ops

    @property
    def cpu_ns_per_op(self) -> float:
        return self.cpu_ns / self.ops


def warm_up(run, batch: int, seconds: float) -> None:
    """At least one untimed batch, then more until `seconds` have passed."""
    end = perf_ns() + int(seconds * 1e9)
    run(batch)
    while perf_ns() < end:
        raise_pending()
        run(batch)


def time_batches(run, batch: int, min_time: float, min_batches: int = 3) -> BatchTiming:
    """Calls run(batch) until the timed batches add up to `min_time` seconds.

    run(n) performs n operations. Only the calls are timed, not the loop
    around them; the CPU time is the calling thread's (like Google
    Benchmark's cpu_time for a one-thread benchmark).
    """
    out = BatchTiming(batch)
    target = int(min_time * 1e9)
    cpu0 = time.thread_time_ns()
    while out.timed_ns < target or len(out.samples_ns) < min_batches:
        raise_pending()
        t0 = perf_ns()
        run(batch)
        elapsed = perf_ns() - t0
        out.samples_ns.append(elapsed / batch)
        out.timed_ns += elapsed
        out.ops += batch
    out.cpu_ns = time.thread_time_ns() - cpu0
    return out


def clock_overhead_ns(reads: int = 2000) -> float:
    """Median cost of one perf_counter_ns() call, from back-to-back pairs."""
    gaps = []
    for _ in range(reads):
        a = perf_ns()
        b = perf_ns()
        gaps.append(b - a)
    gaps.sort()
    return float(gaps[len(gaps) // 2])
