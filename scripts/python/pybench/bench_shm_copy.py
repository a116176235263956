"""py/shm/copy: a buffer copied between two processes through
multiprocessing.shared_memory.SharedMemory (native: shm/copy/processes/...).

  py/shm/copy/processes/<placement>/<bytes>

Side A (the producer) waits until side B acknowledged the previous transfer,
copies its private buffer into the block, stamps the sequence number into
the block's first and last 8 bytes and posts it; side B copies the block out
into its own buffer, checks both stamps and acknowledges. One operation is
one whole transfer. The first and the last transfer are also compared whole
(CRC-32 of the bytes between the stamps), outside the timed span. The hand-off words
are waited on by spinning (then yielding): the posts rely on the CPU keeping
stores in order (x86); elsewhere a torn transfer is caught by the stamps.
"""
from __future__ import annotations

import zlib

from . import placement, shm_block, spin, timing
from .errors import CheckFailed, Unavailable
from .messages import LAST
from .registry import Group
from .results import Measurement
from .workers import WorkerGroup

PATTERN = "py/shm/copy/processes/{placement}/{size}"
READY, ACK, PAYLOAD = 0, 64, 128  # the two hand-off words on their own cache lines
MIN_BYTES = 16  # room for the two sequence stamps (native kCopyMinBytes)
BATCH = 4


def consume(name: str, size: int, spins: int) -> dict:
    """Side B: copy out, check, acknowledge, until the transfer marked last."""
    block = shm_block.attach(name)
    try:
        view = block.buf
        mine = bytearray(size)
        first_crc = None
        seq, error = 0, None
        while True:
            seq += 1
            word = spin.wait_for_post(view, READY, seq, LAST, spins)
            mine[:] = view[PAYLOAD:PAYLOAD + size]
            head, tail = spin.WORD.unpack_from(mine, 0)[0], spin.WORD.unpack_from(mine, size - 8)[0]
            if error is None and not (head == tail == seq):
                error = "transfer %d: stamps head %d, tail %d (stale or torn)" % (seq, head, tail)
            if first_crc is None:
                first_crc = zlib.crc32(memoryview(mine)[8:size - 8])
            spin.write(view, ACK, seq)
            if word & LAST:
                break
        last_crc = zlib.crc32(memoryview(mine)[8:size - 8])
        del view
    finally:
        block.close()
    if error:
        raise CheckFailed(error)
    return {"transfers": seq, "first_crc": first_crc, "last_crc": last_crc}


def copy_sizes(opts) -> list:
    if opts.size:
        return [opts.size]
    if opts.smoke:
        return [4096, 1 << 20]  # native --quick
    return [4096 * 4 ** i for i in range(7)]  # 4 KiB ... 16 MiB (native copy_sizes())


class ShmCopyGroup(Group):
    id = "shm-copy"
    family = "shm"
    summary = "shared_memory.SharedMemory: a buffer copied from one process to another, by size"
    patterns = (PATTERN,)

    def variants(self, opts):
        return [self.variant(PATTERN, mode="processes", placement=opts.pair_placement(), size=size)
                for size in copy_sizes(opts) if "processes" in opts.modes()]

    def measure(self, variant, opts):
        size = variant.params["size"]
        if size < MIN_BYTES:
            raise Unavailable("a %d-byte buffer has no room for the copy's two 8-byte sequence stamps "
                              "(at least %d bytes)" % (size, MIN_BYTES))
        pu_a, pu_b = opts.pair()
        spins = spin.spin_budget(pu_a == pu_b)
        source = bytearray(size)
        for i in range(0, size, 4096):
            source[i] = i // 4096 % 251  # not all zeros: a missed copy changes the CRC
        placement.pin_current(pu_a)
        with shm_block.created(PAYLOAD + size) as block:
            view = block.buf
            state = {"seq": 0}

            def transfers(n: int, last: bool = False, tail_off: int = 0) -> None:
                seq = state["seq"]
                for _ in range(n):
                    spin.wait_until_equal(view, ACK, seq, spins)  # B is done with the previous one
                    seq += 1
                    view[PAYLOAD:PAYLOAD + size] = source
                    spin.write(view, PAYLOAD, seq)
                    spin.write(view, PAYLOAD + size - 8, seq + tail_off)
                    spin.write(view, READY, seq | LAST if last else seq)
                state["seq"] = seq

            try:
                with WorkerGroup("processes", [pu_b], consume, [(block.name, size, spins)], opts.context(),
                                 opts.deadline, labels=["side B"]) as group:
                    timing.warm_up(transfers, BATCH, opts.min_time * 0.2)
                    if opts.inject_fault:
                        transfers(1, tail_off=1)  # a torn transfer: side B must reject its tail stamp
                    t = timing.time_batches(transfers, BATCH, opts.min_time)
                    transfers(1, last=True)
                    spin.wait_until_equal(view, ACK, state["seq"], spins)
                    reports = group.finish()
            finally:
                del view
        side_a = placement.observe(pu_a)
        b = reports[0]["result"]
        if b["transfers"] != state["seq"]:
            raise CheckFailed("side B saw %d transfers, side A made %d" % (b["transfers"], state["seq"]))
        body_crc = zlib.crc32(memoryview(source)[8:size - 8])  # the bytes between the two stamps
        if b["first_crc"] != body_crc or b["last_crc"] != body_crc:
            raise CheckFailed("the CRC-32 of a transfer differs between the two sides (first %s, last %s)"
                              % ("equal" if b["first_crc"] == body_crc else "differs",
                                 "equal" if b["last_crc"] == body_crc else "differs"))
        per_s = 1e9 / t.ns_per_op
        extra = {"python_api": "multiprocessing.shared_memory.SharedMemory + memoryview slice copies",
                 "bytes": size, "pair": [pu_a, pu_b], "batch": BATCH, "transfers": state["seq"],
                 "wait": "spin on a shared word, then os.sched_yield()" + (" (at once: same PU)" if pu_a == pu_b else ""),
                 "checks": "sequence stamps in the first and last 8 bytes of every transfer; CRC-32 of the first and the last (between the stamps)"}
        counters = {"items_per_second": per_s, "bytes_per_second": per_s * size}
        return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [side_a, reports[0]["placement"]], t.samples_ns,
                           "one transfer: producer copy in + hand-off + consumer copy out + ack "
                           "(mean of a batch of %d)" % BATCH, counters, extra)
