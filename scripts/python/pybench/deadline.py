"""Every benchmark runs under a deadline, so a lost message or a dead peer
turns into an error entry instead of a hang; SIGINT and SIGTERM stop the run
with every child joined and every shared-memory block unlinked.

All three are exceptions raised in the main thread by signal handlers:
blocking calls (Connection.recv, Lock.acquire, Queue.get, sleeps) are
interrupted by them (PEP 475 retries a call only when the handler returns),
and `finally` blocks clean up. An exception raised where Python swallows
exceptions (an at-fork callback, a __del__) would be lost, so each handler
also leaves it pending: the timing loops call raise_pending() between
batches, and the spin-waits when they yield.
"""
from __future__ import annotations

import contextlib
import signal

_pending = None  # the exception a handler raised, until it is dealt with


class DeadlineExceeded(Exception):
    pass


def raise_pending() -> None:
    """Raises the exception a signal handler raised, if it went astray."""
    if _pending is not None:
        raise _pending


def _raise(exc: BaseException) -> None:
    global _pending
    _pending = exc
    raise exc


@contextlib.contextmanager
def deadline(seconds: float, what: str):
    """Raises DeadlineExceeded in the main thread after `seconds`."""
    global _pending

    def expire(signum, frame):
        _raise(DeadlineExceeded("%s did not finish within its %.3g s deadline (--deadline)" % (what, seconds)))

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if isinstance(_pending, DeadlineExceeded):
            _pending = None


def stop_on_signals() -> None:
    """SIGINT -> KeyboardInterrupt, SIGTERM -> SystemExit(128 + 15), both kept pending."""

    def interrupt(signum, frame):
        _raise(KeyboardInterrupt())

    def terminate(signum, frame):
        _raise(SystemExit(128 + signum))

    signal.signal(signal.SIGINT, interrupt)
    signal.signal(signal.SIGTERM, terminate)


def child_safety_net(seconds: float) -> None:
    """In a worker process: die by SIGALRM's default action after `seconds`.

    A worker whose parent vanished (killed with SIGKILL) must not wait forever
    on a stop flag or a peer that never comes. (The SIGINT / SIGTERM handlers
    inherited from the parent stay: the worker reports and ends.)
    """
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_REAL, seconds)
