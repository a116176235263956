"""N pinned workers doing the same operation until told to stop.

Shape of the native WorkerGroup runs: every worker pins itself, waits at a
start gate, then runs batches of its operation (each batch timed: the
samples) until the coordinator, min_time after the gate opened, raises the
stop flag. Each worker reports its operation count, first and last clock
reading and CPU time; the wall time is last finish - first start (the clock is
CLOCK_MONOTONIC: one clock for every process). Operation counts come from the
workers, so a check such as "the shared counter equals the sum of the counts"
is exact whatever the timing.
"""
from __future__ import annotations

import threading
import time

from . import timing
from .results import Measurement
from .errors import WorkerFailure
from .workers import WorkerGroup, assign_pus, placements

GATE_TIMEOUT_S = 30.0  # every worker is started and pinned long before this


def timed_loop(gate, stop, run, batch: int) -> dict:
    """The worker side: gate, batches until stop, and what was done."""
    gate.wait(GATE_TIMEOUT_S)
    samples, ops = [], 0
    cpu0 = time.thread_time_ns()
    start = timing.perf_ns()
    last = start
    while not stop.value:
        run(batch)
        now = timing.perf_ns()
        samples.append((now - last) / batch)
        last = now
        ops += batch
    return {"ops": ops, "start_ns": start, "end_ns": last, "cpu_ns": time.thread_time_ns() - cpu0, "samples": samples}


def pass_gate(gate, group) -> None:
    """The coordinator's turn at the start gate. A broken gate means a worker
    never came: its own report says why (it could not pin, it died)."""
    try:
        gate.wait(GATE_TIMEOUT_S)
    except threading.BrokenBarrierError:
        group.finish()  # raises WorkerFailure with the workers' errors
        raise WorkerFailure("the start gate broke: not every worker reached it within %g s" % GATE_TIMEOUT_S)


def gate_and_stop(mode: str, context, parties: int):
    """A start gate for `parties` (workers + coordinator) and a stop flag both
    sides can read: a RawValue lives in shared memory, so it serves threads too."""
    gate = threading.Barrier(parties) if mode == "threads" else context.Barrier(parties)
    return gate, context.RawValue("b", 0)


def run_group(variant, opts, body, args_for) -> tuple:
    """Runs body(gate, stop, *args_for(i)) on N workers for min_time seconds.

    Returns (reports, worker PUs, oversubscribed?, wall ns)."""
    n = variant.params["workers"]
    pus, oversubscribed = assign_pus(opts.worker_pus(), n)
    context = opts.context()
    gate, stop = gate_and_stop(variant.mode, context, n + 1)
    args = [(gate, stop) + tuple(args_for(i)) for i in range(n)]
    with WorkerGroup(variant.mode, pus, body, args, context, opts.deadline) as group:
        pass_gate(gate, group)
        time.sleep(opts.min_time)
        stop.value = 1
        reports = group.finish()
    results = [r["result"] for r in reports]
    wall = max(r["end_ns"] for r in results) - min(r["start_ns"] for r in results)
    return reports, pus, oversubscribed, wall


def measurement(variant, reports, oversubscribed, wall_ns, sample: str, extra: dict, counters: dict = None):
    """real_time = wall / all workers' operations; cpu_time = all workers' CPU / operations."""
    results = [r["result"] for r in reports]
    ops = sum(r["ops"] for r in results)
    cpu = sum(r["cpu_ns"] for r in results)
    samples = [s for r in results for s in r["samples"]]
    out = {"items_per_second": ops * 1e9 / wall_ns}
    out.update(counters or {})
    extra = dict(extra, workers=len(results), ops_per_worker=[r["ops"] for r in results],
                 time="wall time from the first worker's start to the last one's finish, / all operations",
                 cpu_time="all workers' CPU time / all operations")
    return Measurement(ops, wall_ns / ops, cpu / ops, placements(reports), samples, sample, out, extra, oversubscribed)
