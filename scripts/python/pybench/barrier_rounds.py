"""N parties meeting at a Barrier round after round (the native
sync/fanout for barriers: every round is everyone's wait and release).

All parties must do the same number of rounds, or one would wait for ever.
So the stop is decided inside the barrier: its action (run by one party
after all arrived, before any leaves) copies the stop flag into a shared
word, which every party reads after the wait returns. The next action cannot
run before every party arrived again, i.e. after all of them read it.
"""
from __future__ import annotations

import threading
import time

from . import timing
from .errors import CheckFailed
from .group_run import GATE_TIMEOUT_S, gate_and_stop, pass_gate
from .results import Measurement
from .workers import WorkerGroup, assign_pus, placements


class CopyStopFlag:
    """The barrier's action; a picklable callable (spawn passes it to children)."""

    def __init__(self, stop, decision):
        self.stop, self.decision = stop, decision

    def __call__(self):
        self.decision.value = self.stop.value


def party(gate, stop, barrier, decision, claim_extra: bool) -> dict:
    gate.wait(GATE_TIMEOUT_S)
    samples, rounds = [], 0
    cpu0 = time.thread_time_ns()
    start = timing.perf_ns()
    last = start
    while True:
        barrier.wait()
        now = timing.perf_ns()
        samples.append(now - last)
        last = now
        rounds += 1
        if decision.value:
            break
    return {"rounds": rounds + (1 if claim_extra else 0), "start_ns": start, "end_ns": last,
            "cpu_ns": time.thread_time_ns() - cpu0, "samples": samples}


def measure(variant, opts, api: str) -> Measurement:
    n = variant.params["workers"]
    context = opts.context()
    pus, oversubscribed = assign_pus(opts.worker_pus(), n)
    gate, stop = gate_and_stop(variant.mode, context, n + 1)
    decision = context.RawValue("b", 0)
    action = CopyStopFlag(stop, decision)
    barrier = threading.Barrier(n, action) if variant.mode == "threads" else context.Barrier(n, action)
    args = [(gate, stop, barrier, decision, opts.inject_fault and i == 0) for i in range(n)]
    with WorkerGroup(variant.mode, pus, party, args, context, opts.deadline) as group:
        pass_gate(gate, group)
        time.sleep(opts.min_time)
        stop.value = 1
        reports = group.finish()
    results = [r["result"] for r in reports]
    rounds = {r["rounds"] for r in results}
    if len(rounds) != 1:
        raise CheckFailed("the parties counted different numbers of barrier rounds: %s"
                          % [r["rounds"] for r in results])
    rounds = rounds.pop()
    wall = max(r["end_ns"] for r in results) - min(r["start_ns"] for r in results)
    cpu = sum(r["cpu_ns"] for r in results)
    extra = {"python_api": api, "parties": n, "rounds": rounds,
             "time": "wall time from the first party's start to the last one's finish, / rounds",
             "cpu_time": "all parties' CPU time / rounds",
             "checks": "every party counts the same number of rounds"}
    return Measurement(rounds, wall / rounds, cpu / rounds, placements(reports),
                       [s for r in results for s in r["samples"]], "one barrier round as one party sees it",
                       {"items_per_second": rounds * 1e9 / wall}, extra, oversubscribed)
