"""Waiting on a word in shared memory, as the native spin_until does: spin,
then yield; at once when both sides share one PU (spinning there only delays
the side we wait for)."""
from __future__ import annotations

import os
import struct

from .deadline import raise_pending

WORD = struct.Struct("<Q")
SPINS_BEFORE_YIELD = 2000  # ~100-200 us of Python reads: far above a cross-PU hand-off


def spin_budget(same_pu: bool) -> int:
    return 0 if same_pu else SPINS_BEFORE_YIELD


def wait_until_equal(view, offset: int, value: int, spins: int) -> None:
    unpack = WORD.unpack_from
    n = 0
    while unpack(view, offset)[0] != value:
        n += 1
        if n > spins:
            os.sched_yield()
            raise_pending()


def read(view, offset: int) -> int:
    return WORD.unpack_from(view, offset)[0]


def write(view, offset: int, value: int) -> None:
    WORD.pack_into(view, offset, value)


def wait_for_post(view, offset: int, seq: int, flag: int, spins: int) -> int:
    """Waits until the word holds `seq` (with or without `flag` set); returns the word."""
    unpack = WORD.unpack_from
    n = 0
    while True:
        word = unpack(view, offset)[0]
        if word & ~flag == seq:
            return word
        n += 1
        if n > spins:
            os.sched_yield()
            raise_pending()
