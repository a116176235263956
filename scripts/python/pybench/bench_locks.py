"""py/locks: threading.Lock / RLock (threads) and multiprocessing.Lock /
RLock (processes), in the shape of the native locks family.

  py/locks/uncontended/<mode>/<lock>                     one worker: `with lock: pass` (batches of 256)
  py/locks/contended/<mode>/<placement>/<lock>/n<N>      N workers: `with lock: counter.value += 1`
  py/locks/wakeup/<mode>/<placement>/<lock>              ping-pong through two locks (pingpong.py)

Locks: threading_lock, threading_rlock (threads); mp_lock, mp_rlock
(processes: a SemLock, i.e. a POSIX named semaphore that is unlinked at
once). There is no rlock wake-up: an RLock can only be released by its
owner, so it cannot hand a wake-up to another side. The contended counter is
a RawValue (shared memory, no lock of its own); it must end at exactly the
sum of every worker's acquisitions.
"""
from __future__ import annotations

import threading

from . import group_run, pingpong
from .bells import make_bell
from .errors import CheckFailed
from .registry import Group

UNCONTENDED = "py/locks/uncontended/{mode}/{lock}"
CONTENDED = "py/locks/contended/{mode}/{placement}/{lock}/n{workers}"
WAKEUP = "py/locks/wakeup/{mode}/{placement}/{lock}"
BATCH = 32  # acquisitions per timed sample (contended)

# name: (mode, the Python API, factory from a multiprocessing context, can hand off a wake-up)
LOCKS = {
    "threading_lock": ("threads", "threading.Lock", lambda ctx: threading.Lock(), True),
    "threading_rlock": ("threads", "threading.RLock", lambda ctx: threading.RLock(), False),
    "mp_lock": ("processes", "multiprocessing.Lock", lambda ctx: ctx.Lock(), True),
    "mp_rlock": ("processes", "multiprocessing.RLock", lambda ctx: ctx.RLock(), False),
}


def contended_worker(gate, stop, lock, counter, claim_extra: bool) -> dict:
    def run(n):
        for _ in range(n):
            with lock:
                counter.value += 1
    out = group_run.timed_loop(gate, stop, run, BATCH)
    out["ops"] += 1 if claim_extra else 0  # --inject-fault: one acquisition claimed, never made
    return out


class LocksGroup(Group):
    id = "locks"
    family = "locks"
    summary = "Lock, RLock (threading and multiprocessing): uncontended, contended by N workers, wake-up"
    patterns = (UNCONTENDED, CONTENDED, WAKEUP)

    def variants(self, opts):
        out = []
        for lock, (mode, _, _, hands_off) in LOCKS.items():
            if mode not in opts.modes():
                continue
            out.append(self.variant(UNCONTENDED, what="uncontended", mode=mode, lock=lock, placement="compact"))
            out.append(self.variant(CONTENDED, what="contended", mode=mode, lock=lock,
                                    placement=opts.group_placement(), workers=opts.worker_count()))
            if hands_off:
                out.append(self.variant(WAKEUP, what="wakeup", mode=mode, lock=lock, placement=opts.pair_placement()))
        return out

    def measure(self, variant, opts):
        mode, api, make, _ = LOCKS[variant.params["lock"]]
        context = opts.context()
        what = variant.params["what"]
        if what == "wakeup":
            return pingpong.measure(variant, opts, make_bell("lock", mode, context), variant.params["lock"],
                                    api + " released by the other side")
        lock = make(context)
        if what == "uncontended":
            def cycle():
                with lock:
                    pass
            return pingpong.measure_uncontended(variant, opts, cycle, api + ": with lock: pass")
        counter = context.RawValue("q", 0)
        reports, _, over, wall = group_run.run_group(
            variant, opts, contended_worker, lambda i: (lock, counter, opts.inject_fault and i == 0))
        total = sum(r["result"]["ops"] for r in reports)
        if counter.value != total:
            raise CheckFailed("the counter incremented under %s ended at %d, the workers acquired it %d times"
                              % (api, counter.value, total))
        return group_run.measurement(
            variant, reports, over, wall, "one acquisition: lock, increment, unlock (mean of a batch of %d, "
            "per worker)" % BATCH, {"python_api": api, "critical_section": "counter.value += 1 on a RawValue",
                                    "checks": "the counter ends at the sum of every worker's acquisitions"})

