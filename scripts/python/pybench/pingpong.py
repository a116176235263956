"""Wake-up ping-pong between two pinned sides, in the shape of the native
sync/wakeup and locks/wakeup benches.

Side A rings side B's bell and waits on its own; side B waits, then rings
back. A sample is the mean round trip of a batch (two wake-ups); one_way_ns
is p50 / 2, labelled as such. (The native wakeup stamps the clock at the
release and at the wake instead; compare its p50 with one_way_ns.) Side B
stops after the round in which side A raised the done flag; both sides
count rounds, and the counts must agree (every ring woke exactly one wait).
"""
from __future__ import annotations

import time

from . import placement, stats, timing
from .errors import CheckFailed
from .results import Measurement
from .workers import WorkerGroup

BATCH = 8


def answer(bell, done) -> dict:
    """Side B: wait, ring back; after the round A marked done, stop."""
    rounds = 0
    cpu0 = time.thread_time_ns()
    while True:
        bell.wait(1)
        rounds += 1
        finished = done.value
        bell.ring(0)
        if finished:
            break
    return {"rounds": rounds, "cpu_ns": time.thread_time_ns() - cpu0}


def measure(variant, opts, bell, primitive: str, api: str) -> Measurement:
    pu_a, pu_b = opts.pair()
    done = opts.context().RawValue("b", 0)
    count = [0]

    def round_trips(n: int) -> None:
        for _ in range(n):
            bell.ring(1)
            bell.wait(0)
        count[0] += n

    placement.pin_current(pu_a)
    with WorkerGroup(variant.mode, [pu_b], answer, [(bell, done)], opts.context(), opts.deadline,
                     labels=["side B"]) as group:
        timing.warm_up(round_trips, BATCH, opts.min_time * 0.2)
        t = timing.time_batches(round_trips, BATCH, opts.min_time)
        done.value = 1
        round_trips(1)
        reports = group.finish()
    side_a = placement.observe(pu_a)
    claimed = count[0] + (1 if opts.inject_fault else 0)  # --inject-fault: a round claimed, never rung
    b = reports[0]["result"]
    if b["rounds"] != claimed:
        raise CheckFailed("side A rang %d times, side B woke %d times" % (claimed, b["rounds"]))
    p50 = stats.median(t.samples_ns)  # the p50_ns of the entry
    counters = {"one_way_ns": p50 / 2, "items_per_second": 1e9 / t.ns_per_op,
                "cpu_a_ns_per_rtt": t.cpu_ns_per_op, "cpu_b_ns_per_rtt": b["cpu_ns"] / b["rounds"]}
    extra = {"python_api": api, "primitive": primitive, "batch": BATCH, "rounds": claimed,
             "one_way": "one_way_ns = p50 round trip / 2 (the native wakeup is stamped one way)",
             "checks": "both sides count rounds; the counts must agree"}
    return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [side_a, reports[0]["placement"]], t.samples_ns,
                       "round trip: ring B, B wakes and rings A, A wakes (mean of a batch of %d)" % BATCH,
                       counters, extra)


def measure_uncontended(variant, opts, cycle, api: str, batch: int = 256) -> Measurement:
    """One worker (the calling thread, pinned): cycle() in batches, nobody else there."""
    pu = opts.single_pu()
    placement.pin_current(pu)

    def cycles(n: int) -> None:
        for _ in range(n):
            cycle()

    timing.warm_up(cycles, batch, opts.min_time * 0.2)
    t = timing.time_batches(cycles, batch, opts.min_time)
    where = placement.observe(pu)
    extra = {"python_api": api, "batch": batch, "clock_read_ns": timing.clock_overhead_ns(),
             "subtracted": "nothing: the loop and the clock reads are inside every sample"}
    return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [where], t.samples_ns,
                       "one uncontended use (mean of a batch of %d)" % batch,
                       {"items_per_second": 1e9 / t.ns_per_op}, extra)
