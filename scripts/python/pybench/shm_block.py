"""A multiprocessing.shared_memory block that is always unlinked.

The creator owns the block: it unlinks it on every way out (an exception,
KeyboardInterrupt, SystemExit from SIGTERM). Workers attach by name and only
close. multiprocessing's children share their parent's resource tracker, so
a worker attaching registers nothing new and must not unregister.
"""
from __future__ import annotations

import contextlib
import os
import secrets
import signal
from multiprocessing import resource_tracker, shared_memory

PREFIX = "primbench-py-"  # /dev/shm/primbench-py-<pid>-<random>: ours, recognisable if ever left
_STOPPING = {signal.SIGINT, signal.SIGTERM}


@contextlib.contextmanager
def created(size: int):
    name = "%s%d-%s" % (PREFIX, os.getpid(), secrets.token_hex(4))
    # The block exists from shm_open on, before the constructor returns: SIGINT
    # and SIGTERM wait until the `try` below owns it, then arrive as usual.
    # The resource tracker is started first, because starting it unblocks them.
    resource_tracker.ensure_running()
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPPING)
    try:
        block = shared_memory.SharedMemory(name=name, create=True, size=size)
    except BaseException:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        _unlink_if_there(name)
        raise
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        yield block
    finally:
        try:
            block.close()
        finally:
            block.unlink()


def attach(name: str):
    return shared_memory.SharedMemory(name=name)


def _unlink_if_there(name: str) -> None:
    """Removes a block a failed constructor may have left behind."""
    try:
        stray = shared_memory.SharedMemory(name=name)
    except OSError:
        return
    stray.close()
    stray.unlink()
