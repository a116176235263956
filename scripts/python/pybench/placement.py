"""Pinning a worker to one PU and reading back where it really ran.

Linux only: os.sched_setaffinity(0, ...) binds the *calling thread* (pid 0 is
the caller's task), so threads and processes pin themselves the same way.
Where a task last ran is field 39 ("processor") of its /proc stat line.
"""
from __future__ import annotations

import os
import threading

# 1-based field number of "processor" in proc(5)'s /proc/[pid]/stat.
_PROCESSOR_FIELD = 39


class PinError(RuntimeError):
    """The requested PU could not be bound (not allowed, not online)."""


def parse_processor(stat_line: str) -> int:
    """The "processor" field of a /proc/.../stat line.

    The second field is the command name in parentheses and may itself hold
    spaces and parentheses, so fields are counted from the *last* ')'.
    """
    close = stat_line.rindex(")")
    fields = stat_line[close + 2:].split()  # field 3 onwards
    return int(fields[_PROCESSOR_FIELD - 3])


def _own_stat_path() -> str:
    if os.path.exists("/proc/thread-self/stat"):  # Linux >= 3.17
        return "/proc/thread-self/stat"
    return "/proc/self/task/%d/stat" % threading.get_native_id()


def last_cpu() -> int:
    """The CPU the calling thread last ran on (read from /proc)."""
    with open(_own_stat_path()) as f:
        return parse_processor(f.read())


def pin_current(pu: int) -> None:
    """Binds the calling thread to exactly one PU (OS index)."""
    try:
        os.sched_setaffinity(0, {pu})
    except OSError as exc:
        allowed = sorted(os.sched_getaffinity(0))
        raise PinError("cannot pin to PU %d: %s (this thread may use PUs %s)" % (pu, exc.strerror, allowed)) from None


def observe(requested_pu: int) -> dict:
    """Where the calling thread is bound and last ran, next to what was asked.

    Call it after the work, so that a migration during the run is caught.
    The keys are those of the native ObservedPlacement (harness/pinning.hpp).
    """
    mask = os.sched_getaffinity(0)
    observed = last_cpu()
    exact = mask == {requested_pu}
    return {
        "requested_pu": requested_pu,
        "observed_pu": observed,
        "bound_cpus": len(mask),
        "binding_exact": exact,
        "ok": exact and observed == requested_pu,
    }


def allowed_pus() -> list:
    """The PUs this process may run on, in OS order."""
    return sorted(os.sched_getaffinity(0))
