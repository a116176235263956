"""py/shm counters: multiprocessing.Value and Array with and without their lock.

  py/shm/value_add/<mode>/<placement>/n<N>/lock     one shared Value, `with v.get_lock(): v.value += 1`
  py/shm/value_add/<mode>/<placement>/n<N>/nolock   the same on Value(lock=False): a racy
                                                    read-modify-write; lost updates are counted
  py/shm/array_slots/<mode>/<placement>/n<N>/lock   one Array, each worker its own slot, under the array's lock
  py/shm/array_slots/<mode>/<placement>/n<N>/nolock Array(lock=False), each worker its own slot
                                                    (adjacent 8-byte slots: the native false_sharing/adjacent)
The objects live in shared memory in both modes (threads share them too).
Checks: the locked counter ends exactly at the sum of every worker's
increments; every slot ends exactly at its worker's count; the unlocked
counter never ends above it (it may end below: those are the lost updates).
"""
from __future__ import annotations

from . import group_run
from .errors import CheckFailed
from .registry import Group

PATTERN = "py/shm/{what}/{mode}/{placement}/n{workers}/{lock}"
BATCH = 64  # increments per timed sample


def value_add_worker(gate, stop, value, locked: bool, claim_extra: bool) -> dict:
    if locked:
        lock = value.get_lock()

        def run(n):
            for _ in range(n):
                with lock:
                    value.value += 1
    else:
        def run(n):
            for _ in range(n):
                value.value += 1
    out = group_run.timed_loop(gate, stop, run, BATCH)
    out["ops"] += 1 if claim_extra else 0  # --inject-fault: one increment claimed, never made
    return out


def array_slot_worker(gate, stop, array, slot: int, locked: bool, claim_extra: bool) -> dict:
    if locked:
        lock = array.get_lock()

        def run(n):
            for _ in range(n):
                with lock:
                    array[slot] += 1
    else:
        def run(n):
            for _ in range(n):
                array[slot] += 1
    out = group_run.timed_loop(gate, stop, run, BATCH)
    out["ops"] += 1 if claim_extra else 0
    return out


class ShmCountersGroup(Group):
    id = "shm-counters"
    family = "shm"
    summary = "multiprocessing.Value / Array increments by N workers, with and without the lock"
    patterns = (PATTERN,)

    def variants(self, opts):
        return [self.variant(PATTERN, what=what, mode=mode, placement=opts.group_placement(),
                             workers=opts.worker_count(), lock=lock)
                for what in ("value_add", "array_slots") for mode in opts.modes() for lock in ("lock", "nolock")]

    def measure(self, variant, opts):
        context = opts.context()
        n, locked = variant.params["workers"], variant.params["lock"] == "lock"
        fault = opts.inject_fault
        if variant.params["what"] == "value_add":
            shared = context.Value("q", 0, lock=locked)
            reports, pus, over, wall = group_run.run_group(
                variant, opts, value_add_worker, lambda i: (shared, locked, fault and i == 0))
            return self._check_value(variant, reports, over, wall, shared.value, locked)
        shared = context.Array("q", n, lock=locked)
        reports, pus, over, wall = group_run.run_group(
            variant, opts, array_slot_worker, lambda i: (shared, i, locked, fault and i == 0))
        counts = [r["result"]["ops"] for r in reports]
        for i, (want, got) in enumerate(zip(counts, shared[:])):
            if want != got:
                raise CheckFailed("slot %d ended at %d, its worker made %d increments" % (i, got, want))
        api = "multiprocessing.Array('q', %d, lock=%s)" % (n, locked)
        return group_run.measurement(variant, reports, over, wall, self._sample(locked),
                                     {"python_api": api, "checks": "every slot ends at its worker's count"})

    def _check_value(self, variant, reports, over, wall, final: int, locked: bool):
        total = sum(r["result"]["ops"] for r in reports)
        api = "multiprocessing.Value('q', lock=%s)" % locked
        counters, extra = {}, {"python_api": api}
        if locked or len(reports) == 1:
            if final != total:
                raise CheckFailed("the shared counter ended at %d, the workers made %d increments" % (final, total))
            extra["checks"] = "the counter ends at the sum of every worker's increments"
        else:
            if final > total:
                raise CheckFailed("the unlocked counter ended at %d, above the %d increments made" % (final, total))
            counters = {"lost_updates": total - final, "lost_update_fraction": (total - final) / total}
            extra.update(checks="the counter never ends above the increments made",
                         lost_updates=total - final, note="no lock: concurrent read-modify-writes lose updates")
        return group_run.measurement(variant, reports, over, wall, self._sample(locked), extra, counters)

    @staticmethod
    def _sample(locked: bool) -> str:
        what = "lock, increment, unlock" if locked else "increment"
        return "one %s (mean of a batch of %d, per worker)" % (what, BATCH)
