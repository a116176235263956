"""py/sync: Semaphore, Event, Condition, Barrier (threading in threads mode,
multiprocessing in processes mode), in the shape of the native sync family.

  py/sync/uncontended/<mode>/<prim>                   one worker: one use that never blocks
  py/sync/wakeup/<mode>/<placement>/<prim>            ping-pong: release/set/notify -> the waiter runs
  py/sync/fanout/<mode>/<placement>/<barrier>/n<N>    N parties meet at a Barrier, round after round

prim: <threading|mp>_semaphore, _event, _condition, _barrier. The
uncontended uses follow the native adapters: release then acquire; set,
wait, clear; a notify nobody waits for then a wait whose predicate holds; a
one-party barrier.
"""
from __future__ import annotations

import threading

from . import barrier_rounds, pingpong
from .bells import make_bell
from .errors import Unavailable
from .registry import Group

UNCONTENDED = "py/sync/uncontended/{mode}/{prim}"
WAKEUP = "py/sync/wakeup/{mode}/{placement}/{prim}"
FANOUT = "py/sync/fanout/{mode}/{placement}/{prim}/n{workers}"
KINDS = ("semaphore", "event", "condition", "barrier")
_PREFIX = {"threads": "threading", "processes": "mp"}
_API = {"threading": "threading.%s", "mp": "multiprocessing.%s"}


def prim_name(mode: str, kind: str) -> str:
    return "%s_%s" % (_PREFIX[mode], kind)


def api_name(mode: str, kind: str) -> str:
    return _API[_PREFIX[mode]] % kind.capitalize()


class SyncGroup(Group):
    id = "sync"
    family = "sync"
    summary = "Semaphore, Event, Condition, Barrier (threading and multiprocessing): uncontended, wake-up, fan-out"
    patterns = (UNCONTENDED, WAKEUP, FANOUT)

    def variants(self, opts):
        out = []
        for mode in opts.modes():
            for kind in KINDS:
                prim = prim_name(mode, kind)
                out.append(self.variant(UNCONTENDED, what="uncontended", mode=mode, prim=prim, kind=kind,
                                        placement="compact"))
                if kind != "barrier":
                    out.append(self.variant(WAKEUP, what="wakeup", mode=mode, prim=prim, kind=kind,
                                            placement=opts.pair_placement()))
            out.append(self.variant(FANOUT, what="fanout", mode=mode, prim=prim_name(mode, "barrier"),
                                    kind="barrier", placement=opts.group_placement(), workers=opts.worker_count()))
        return out

    def measure(self, variant, opts):
        mode, kind, what = variant.mode, variant.params["kind"], variant.params["what"]
        context = opts.context()
        api = api_name(mode, kind)
        if what == "fanout":
            if variant.params["workers"] < 2:
                raise Unavailable("a fan-out needs at least 2 workers (--workers)")
            return barrier_rounds.measure(variant, opts, api)
        if what == "wakeup":
            return pingpong.measure(variant, opts, make_bell(kind, mode, context), variant.params["prim"], api)
        if kind == "barrier":
            barrier = threading.Barrier(1) if mode == "threads" else context.Barrier(1)
            return pingpong.measure_uncontended(variant, opts, barrier.wait, api + "(1).wait()")
        bell = make_bell(kind, mode, context)
        return pingpong.measure_uncontended(variant, opts, bell.cycle, api + ": " + _CYCLE[kind])


_CYCLE = {"semaphore": "release(); acquire()", "event": "set(); wait(); clear()",
          "condition": "with cond: flag = 1; notify()  then  with cond: (flag set: no wait) flag = 0"}
