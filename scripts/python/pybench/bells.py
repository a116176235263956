"""Python's sync primitives behind one small interface, so the measuring
code (ping-pong, uncontended loop) is written once, as in the native
benches/locks/sync_adapters.hpp.

A bell has ring(side) and wait(side): one wake-up channel per side; cycle()
is one use that never blocks (ring and wait on the same side). Threads-mode
bells are made from `threading`, processes-mode bells from the
multiprocessing context; both are picklable where multiprocessing allows.
"""
from __future__ import annotations

import threading


class SemaphoreBell:
    """release() wakes the other side's acquire()."""

    def __init__(self, make):
        self.sems = (make(0), make(0))

    def ring(self, side):
        self.sems[side].release()

    def wait(self, side):
        self.sems[side].acquire()

    def cycle(self):
        self.sems[0].release()
        self.sems[0].acquire()


class EventBell:
    """set() wakes wait(); the waiter clears it (an auto-reset use)."""

    def __init__(self, make):
        self.events = (make(), make())

    def ring(self, side):
        self.events[side].set()

    def wait(self, side):
        e = self.events[side]
        e.wait()
        e.clear()

    def cycle(self):
        self.ring(0)
        self.wait(0)


class ConditionBell:
    """The Condition pattern: a flag per side under the condition's lock,
    notify() to wake the waiter (Python requires holding the lock to notify)."""

    def __init__(self, condition, flags):
        self.cond, self.flags = condition, flags

    def ring(self, side):
        with self.cond:
            self.flags[side] = 1
            self.cond.notify()

    def wait(self, side):
        with self.cond:
            while not self.flags[side]:
                self.cond.wait()
            self.flags[side] = 0

    def cycle(self):
        self.ring(0)
        self.wait(0)


class LockBell:
    """A lock as a hand-off: both start held; ring releases, wait acquires.
    Lock (not RLock) may be released by a thread or process other than the
    one that acquired it, which is what makes this a wake-up."""

    def __init__(self, make):
        self.locks = (make(), make())
        for lock in self.locks:
            lock.acquire()

    def ring(self, side):
        self.locks[side].release()

    def wait(self, side):
        self.locks[side].acquire()


def make_bell(kind: str, mode: str, context):
    """The bell of a primitive kind (semaphore, event, condition, lock) for a mode."""
    threads = mode == "threads"
    if kind == "semaphore":
        return SemaphoreBell(threading.Semaphore if threads else context.Semaphore)
    if kind == "event":
        return EventBell(threading.Event if threads else context.Event)
    if kind == "condition":
        if threads:
            return ConditionBell(threading.Condition(), [0, 0])
        return ConditionBell(context.Condition(), context.RawArray("b", 2))
    if kind == "lock":
        return LockBell(threading.Lock if threads else context.Lock)
    raise ValueError("no bell for %r" % kind)
