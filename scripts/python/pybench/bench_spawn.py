"""py/spawn: what starting (and joining) a thread or a process costs.

  py/spawn/process/processes/<placement>/<method>     multiprocessing Process start + join, method:
                                                     fork, spawn, forkserver
  py/spawn/thread/threads/<placement>                 threading.Thread start + join
  py/spawn/subprocess_run/processes/<placement>/bin-true   subprocess.run(["/bin/true"])

The creator is the calling thread, pinned to --pus A. A created thread or
process pins itself to B as its first action and records where it ran in
shared memory, with the number of the start it belongs to (each start must
run its target exactly once). subprocess.run's child cannot pin itself
(/bin/true) and inherits A's binding, so it is measured only where A = B;
elsewhere its entry says so. One sample is one start + join.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading

from . import placement, timing
from .errors import CheckFailed, Unavailable
from .registry import Group
from .results import Measurement
from .workers import START_METHODS, mp_context

PROCESS = "py/spawn/process/processes/{placement}/{method}"
THREAD = "py/spawn/thread/threads/{placement}"
SUBPROCESS = "py/spawn/subprocess_run/processes/{placement}/bin-true"
TRUE = "/bin/true"
# Shared slots a started child writes: [start number, last CPU, PUs in its binding, binding exact]
MARK, CPU, BOUND, EXACT = range(4)


def child(slots, pu: int, start: int, fail: bool) -> None:
    """The target of every started thread or process."""
    if fail:
        sys.exit(3)  # --inject-fault: a child that fails before running (a thread just ends)
    placement.pin_current(pu)
    seen = placement.observe(pu)
    slots[CPU], slots[BOUND], slots[EXACT] = seen["observed_pu"], seen["bound_cpus"], int(seen["binding_exact"])
    slots[MARK] = start


def _placement_from(slots, pu: int) -> dict:
    return {"requested_pu": pu, "observed_pu": slots[CPU], "bound_cpus": slots[BOUND],
            "binding_exact": bool(slots[EXACT]), "ok": bool(slots[EXACT]) and slots[CPU] == pu}


class SpawnGroup(Group):
    id = "spawn"
    family = "spawn"
    summary = "Process start+join per start method (fork, spawn, forkserver), Thread start+join, subprocess.run"
    patterns = (PROCESS, THREAD, SUBPROCESS)

    def variants(self, opts):
        out = []
        where = opts.pair_placement()
        if "processes" in opts.modes():
            methods = [opts.start_method] if opts.start_method else list(START_METHODS)
            out.extend(self.variant(PROCESS, what="process", mode="processes", placement=where, method=m)
                       for m in methods)
        if "threads" in opts.modes():
            out.append(self.variant(THREAD, what="thread", mode="threads", placement=where))
        if "processes" in opts.modes():
            out.append(self.variant(SUBPROCESS, what="subprocess_run", mode="processes", placement=where))
        return out

    def measure(self, variant, opts):
        what = variant.params["what"]
        pu_a, pu_b = opts.pair()
        if what == "subprocess_run":
            return self._subprocess(variant, opts, pu_a, pu_b)
        context = mp_context(variant.params["method"]) if what == "process" else opts.context()
        slots = context.RawArray("q", 4)
        state = {"start": 0, "bad": None}
        fault = opts.inject_fault

        def starts(n: int) -> None:
            for _ in range(n):
                state["start"] += 1
                number = state["start"]
                if what == "process":
                    w = context.Process(target=child, args=(slots, pu_b, number, fault))
                    w.start()
                    w.join()
                    failed = w.exitcode != 0 and "exited with code %s" % w.exitcode
                else:
                    w = threading.Thread(target=child, args=(slots, pu_b, number, fault))
                    w.start()
                    w.join()
                    failed = False
                if (failed or slots[MARK] != number) and state["bad"] is None:
                    state["bad"] = "start %d: the child %s" % (number, failed or "did not run its target")

        placement.pin_current(pu_a)
        timing.warm_up(starts, 1, 0)  # one start: a forkserver starts its server here
        t = timing.time_batches(starts, 1, opts.min_time)
        creator = placement.observe(pu_a)
        if state["bad"]:
            raise CheckFailed(state["bad"])
        api = ("multiprocessing.get_context(%r).Process(...).start(); .join()" % variant.params["method"]
               if what == "process" else "threading.Thread(...).start(); .join()")
        extra = {"python_api": api, "starts": state["start"],
                 "child": "pins itself to B first thing, then records its placement and start number",
                 "checks": "every start ran its target exactly once (start number) and exited with 0"}
        return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [creator, _placement_from(slots, pu_b)],
                           t.samples_ns, "one start + join, from creating the object to join() returning",
                           {"items_per_second": 1e9 / t.ns_per_op}, extra)

    def _subprocess(self, variant, opts, pu_a, pu_b):
        if pu_a != pu_b:
            raise Unavailable("subprocess.run's child inherits the caller's binding (PU %d) and cannot pin itself "
                              "to PU %d; pinning it would need preexec_fn, a different spawn path: measured "
                              "only with one PU (same-pu)" % (pu_a, pu_b))
        if not os.access(TRUE, os.X_OK):
            raise Unavailable("%s is not here" % TRUE)
        argv = ["/bin/false"] if opts.inject_fault else [TRUE]  # --inject-fault: a run that fails
        failures = []

        def runs(n: int) -> None:
            for _ in range(n):
                code = subprocess.run(argv, check=False).returncode
                if code != 0 and not failures:
                    failures.append("%s exited with %d" % (" ".join(argv), code))

        placement.pin_current(pu_a)
        timing.warm_up(runs, 1, 0)
        t = timing.time_batches(runs, 1, opts.min_time)
        creator = placement.observe(pu_a)
        if failures:
            raise CheckFailed(failures[0])
        extra = {"python_api": 'subprocess.run(["/bin/true"])', "runs": t.ops + 1,
                 "child": "inherits the caller's binding; its own placement cannot be read back (it is /bin/true)",
                 "checks": "every run exits with 0"}
        return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [creator], t.samples_ns,
                           "one subprocess.run of /bin/true (fork/exec or posix_spawn, wait)",
                           {"items_per_second": 1e9 / t.ns_per_op}, extra)
