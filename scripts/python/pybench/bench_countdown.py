"""py/countdown: count a number down to 0 in pure Python, split over N
workers or repeated by each, as threads and as processes (native:
countdown/..., the seeds' CPU-bound scaling test; under the GIL, threads
cannot speed it up).

  py/countdown/split/<mode>/<placement>/w<N>    N workers, each count/N (worker 0 also the remainder)
  py/countdown/full/<mode>/<placement>/w<N>     N workers, each the whole count

split/threads/.../w1 is one thread doing all of it. --count sets the count
(default 100,000,000, as natively; --smoke 200,000). The time of an entry
is the wall time of one whole countdown: from the start gate (every worker
pinned and waiting) to the last worker done. Every worker's counter must end
at exactly 0. When the group runs in one invocation, split/threads/w1 runs
first and the others report their speedup over it.
"""
from __future__ import annotations

import threading
import time

from . import timing
from .errors import CheckFailed
from .group_run import GATE_TIMEOUT_S, pass_gate
from .registry import Group
from .results import Measurement
from .workers import WorkerGroup, assign_pus, placements

PATTERN = "py/countdown/{split}/{mode}/{placement}/w{workers}"
DEFAULT_COUNT = 100_000_000
SMOKE_COUNT = 200_000
_BASELINE = "countdown baseline"  # key in opts.session


def count_down(gate, n: int, stop_at: int) -> dict:
    """The classic loop: while n > 0: n -= 1 (stop_at is 0 unless a fault is injected)."""
    gate.wait(GATE_TIMEOUT_S)
    cpu0 = time.thread_time_ns()
    start = timing.perf_ns()
    while n > stop_at:
        n -= 1
    end = timing.perf_ns()
    return {"final": n, "start_ns": start, "end_ns": end, "cpu_ns": time.thread_time_ns() - cpu0}


def count_of(opts) -> int:
    return opts.count or (SMOKE_COUNT if opts.smoke else DEFAULT_COUNT)


class CountdownGroup(Group):
    id = "countdown"
    family = "countdown"
    summary = "count N down to 0: 1 thread; N threads or processes each N/workers; each the full N"
    patterns = (PATTERN,)

    def variants(self, opts):
        where, n = opts.group_placement(), opts.worker_count()
        out = []
        for split in ("split", "full"):
            for mode in opts.modes():
                for workers in sorted({1, n}):
                    out.append(self.variant(PATTERN, split=split, mode=mode, placement=where, workers=workers))
        out.sort(key=lambda v: v.params["workers"] != 1 or v.mode != "threads" or v.params["split"] != "split")
        return out

    def measure(self, variant, opts):
        n, split = variant.params["workers"], variant.params["split"]
        count = count_of(opts)
        shares = [count] * n if split == "full" else [count // n] * n
        shares[0] += 0 if split == "full" else count % n
        pus, oversubscribed = assign_pus(opts.worker_pus(), n)
        context = opts.context()
        gate = context.Barrier(n + 1) if variant.mode == "processes" else threading.Barrier(n + 1)
        args = [(gate, shares[i], 1 if opts.inject_fault and i == 0 else 0) for i in range(n)]
        with WorkerGroup(variant.mode, pus, count_down, args, context, opts.deadline) as group:
            pass_gate(gate, group)
            opened = timing.perf_ns()
            reports = group.finish()
        results = [r["result"] for r in reports]
        wrong = [(i, r["final"]) for i, r in enumerate(results) if r["final"] != 0]
        if wrong:
            raise CheckFailed("; ".join("worker %d's counter ended at %d, not 0" % w for w in wrong))
        # The gate opens once for all; whoever ran first after it marks the opening best.
        wall = max(r["end_ns"] for r in results) - min([opened] + [r["start_ns"] for r in results])
        cpu = sum(r["cpu_ns"] for r in results)
        extra = {"count": count, "shares": shares, "total_work": sum(shares),
                 "worker_wall_ns": [r["end_ns"] - r["start_ns"] for r in results],
                 "worker_cpu_ns": [r["cpu_ns"] for r in results],
                 "time": "wall time of one whole countdown: start gate opened -> last worker done",
                 "cpu_time": "all workers' CPU time", "checks": "every worker's counter ends at exactly 0"}
        counters = {"ns_per_decrement": wall / sum(shares) * n if split == "full" else wall / count}
        self._speedup(variant, opts, wall, count, extra, counters)
        return Measurement(1, float(wall), float(cpu), placements(reports), None, "", counters, extra, oversubscribed)

    @staticmethod
    def _speedup(variant, opts, wall, count, extra, counters) -> None:
        p = variant.params
        if p["split"] == "split" and p["workers"] == 1 and variant.mode == "threads":
            opts.session[_BASELINE] = (count, wall)
            return
        base = opts.session.get(_BASELINE)
        if not base or base[0] != count:
            extra["speedup"] = "not computed: run split/threads/.../w1 in the same invocation (--bench countdown)"
            return
        work = p["workers"] if p["split"] == "full" else 1  # full: N counts of work in the wall time
        speedup = work * base[1] / wall
        counters["speedup"] = speedup
        extra.update(speedup=speedup, parallel_efficiency=speedup / p["workers"],
                     speedup_means="work x one-thread wall / wall (full: N counts of work)")
