"""Sequence stamps on every message, checked by every receiver.

A message of `size` bytes (at least 8) carries its sequence number in its
first 8 bytes and, when it has room, again in its last 8: a lost, repeated,
reordered or truncated message is caught. The top bit of the stamp marks the
last message of a run, so the receiver knows when to stop without a second
channel. The bytes in between are not checked (a checksum in Python would
cost more than many of the transfers it guards).
"""
from __future__ import annotations

import struct

MIN_SIZE = 8
LAST = 1 << 63
_STAMP = struct.Struct("<Q")
CHECKS = "length + sequence stamp at both ends of every message, verified by the receiver"


class MessageWriter:
    """One reusable buffer; stamp() writes the next sequence number into it."""

    def __init__(self, size: int, immutable: bool = False):
        if size < MIN_SIZE:
            raise ValueError("a message needs at least %d bytes for its sequence stamp, not %d" % (MIN_SIZE, size))
        self.size = size
        self.buffer = bytearray(size)
        self._tail = size - 8 if size >= 16 else None
        # A queue pickles a message after put() returns (mp.Queue's feeder
        # thread) or keeps a reference to it (queue.Queue): it must get its own
        # immutable copy, and making that copy is part of sending it.
        self._immutable = immutable

    def stamp(self, seq: int, last: bool = False):
        word = seq | LAST if last else seq
        _STAMP.pack_into(self.buffer, 0, word)
        if self._tail is not None:
            _STAMP.pack_into(self.buffer, self._tail, word)
        return bytes(self.buffer) if self._immutable else self.buffer


class SequenceChecker:
    """Expects stamps 0, 1, 2, ... exactly once and in order.

    check() returns True for the last message of the run. The first violation
    is kept (error); after it the checker resynchronises on what it got, so a
    run still ends at its last message.
    """

    def __init__(self, size: int):
        self.size = size
        self.expected = 0
        self.received = 0
        self.error = None
        self._tail = size - 8 if size >= 16 else None

    def check(self, message) -> bool:
        self.received += 1
        if len(message) != self.size:
            self._fail("message %d is %d bytes long, expected %d" % (self.expected, len(message), self.size))
            return False
        word = _STAMP.unpack_from(message, 0)[0]
        seq = word & ~LAST
        if self._tail is not None and _STAMP.unpack_from(message, self._tail)[0] != word:
            self._fail("message %d: head and tail stamps differ (torn or corrupted)" % seq)
        if seq != self.expected:
            what = "lost" if seq > self.expected else "repeated or reordered"
            self._fail("message %d %s: expected sequence %d, got %d" % (self.expected, what, self.expected, seq))
        self.expected = seq + 1
        return bool(word & LAST)

    def _fail(self, text: str) -> None:
        if self.error is None:
            self.error = text
