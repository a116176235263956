"""The measuring code of the message families (pipe, queue), written once,
in the shape of the native benches/message_bench.hpp:

  rtt     side A sends a message, side B checks it and sends it back, A checks
          the reply. Samples are batch means of round trips (batch of 8);
          one_way_ns = p50 / 2, labelled as such.
  stream  side A sends back to back, side B checks every message. The time
          runs from A's first timed send until B has checked the last one
          (B says so on a control pipe), so a buffering primitive cannot look
          faster than it delivers.

Side A is the calling thread pinned to --pus A; side B is a thread or a
process pinned to B. A transport provides endpoints a and b; an endpoint's
callables() are (send, recv) for one whole message, looked up where it runs.
"""
from __future__ import annotations

import time

from . import messages, placement, stats, timing
from .errors import CheckFailed, Unavailable
from .results import Measurement
from .workers import WorkerGroup

RTT_BATCH = 8
STREAM_BATCH = 16  # messages between two looks at the clock
QUEUE_MAXSIZE = 64  # bounded like the native queues: a fast producer cannot pile up gigabytes


class ConnEndpoint:
    """One end of a multiprocessing Connection: send_bytes / recv_bytes, no pickling."""

    immutable_messages = False

    def __init__(self, conn):
        self.conn = conn

    def callables(self):
        return self.conn.send_bytes, self.conn.recv_bytes


class QueueEndpoint:
    """put() on one queue, get() on the other (a queue carries one direction)."""

    immutable_messages = True

    def __init__(self, outgoing, incoming):
        self.outgoing, self.incoming = outgoing, incoming

    def callables(self):
        return self.outgoing.put, self.incoming.get


def serve(endpoint, control, size: int, echo: bool) -> dict:
    """Side B: check every message (and echo it, for rtt) until the last one."""
    send, recv = endpoint.callables()
    checker = messages.SequenceChecker(size)
    cpu0 = time.thread_time_ns()
    try:
        while True:
            message = recv()
            last = checker.check(message)
            if echo:
                send(message)
            elif checker.received == 1:
                control.send_bytes(b"started")
            if last:
                break
    finally:
        if not echo:
            control.send_bytes(b"drained")  # also after a failure: side A must not wait for ever
    cpu_ns = time.thread_time_ns() - cpu0
    if checker.error:
        raise CheckFailed(checker.error)
    return {"received": checker.received, "cpu_ns": cpu_ns}


def _base_extra(transport, variant, size, messages_sent, cpu_a, cpu_b) -> dict:
    return {
        "primitive": variant.params["primitive"], "python_api": transport.api, "measure": variant.params["measure"],
        "wait": "block", "size": size, "messages": messages_sent,
        "cpu_ns_per_msg": {"side_a": cpu_a, "side_b": cpu_b},
        "checks": messages.CHECKS, "notes": transport.notes,
    }


def measure(variant, opts, make_transport) -> Measurement:
    """Creates the transport (before side B starts: a forked B inherits it),
    measures, and closes it on every way out."""
    if variant.params["size"] < messages.MIN_SIZE:
        raise Unavailable("a message needs at least %d bytes for its sequence stamp, not %d"
                          % (messages.MIN_SIZE, variant.params["size"]))
    transport = make_transport()
    flushed = False
    try:
        if variant.params["measure"] == "rtt":
            m = _measure_rtt(variant, opts, transport)
        else:
            m = _measure_stream(variant, opts, transport)
        flushed = True
        return m
    finally:
        transport.close(flush=flushed)  # after a failure, nothing waits for a reader that is gone


def _measure_rtt(variant, opts, transport) -> Measurement:
    size = variant.params["size"]
    pu_a, pu_b = opts.pair()
    a_end, b_end = transport.endpoints()
    send, recv = a_end.callables()
    writer = messages.MessageWriter(size, a_end.immutable_messages)
    replies = messages.SequenceChecker(size)
    seq = [0]

    def round_trips(n: int) -> None:
        first = seq[0]
        for i in range(first, first + n):
            send(writer.stamp(i))
            replies.check(recv())
        seq[0] = first + n

    placement.pin_current(pu_a)
    with WorkerGroup(variant.mode, [pu_b], serve, [(b_end, None, size, True)], opts.context(), opts.deadline,
                     labels=["side B"]) as group:
        timing.warm_up(round_trips, RTT_BATCH, opts.min_time * 0.2)
        if opts.inject_fault:
            seq[0] += 1  # a message that is never sent: both checkers must notice
        t = timing.time_batches(round_trips, RTT_BATCH, opts.min_time)
        send(writer.stamp(seq[0], last=True))
        replies.check(recv())
        reports = group.finish()
    side_a = placement.observe(pu_a)
    if replies.error:
        raise CheckFailed("side A: " + replies.error)
    b = reports[0]["result"]
    cpu_b = b["cpu_ns"] / b["received"]
    p50 = stats.median(t.samples_ns)  # the p50_ns of the entry
    extra = _base_extra(transport, variant, size, seq[0] + 1, t.cpu_ns_per_op, cpu_b)
    extra.update(batch=RTT_BATCH, one_way="one_way_ns = p50 round trip / 2", clock_read_ns=timing.clock_overhead_ns(),
                 subtracted="nothing: loop, stamping, checking and clock reads are inside every sample")
    counters = {"one_way_ns": p50 / 2, "cpu_a_ns_per_rtt": t.cpu_ns_per_op, "cpu_b_ns_per_rtt": cpu_b,
                "items_per_second": 1e9 / t.ns_per_op, "bytes_per_second": 2 * size * 1e9 / t.ns_per_op}
    return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [side_a, reports[0]["placement"]], t.samples_ns,
                       "round trip of a full message each way (mean of a batch of %d)" % RTT_BATCH, counters, extra)


def _measure_stream(variant, opts, transport) -> Measurement:
    size = variant.params["size"]
    pu_a, pu_b = opts.pair()
    a_end, b_end = transport.endpoints()
    send, _ = a_end.callables()
    writer = messages.MessageWriter(size, a_end.immutable_messages)
    control_a, control_b = opts.context().Pipe()
    placement.pin_current(pu_a)
    with control_a, control_b, WorkerGroup(variant.mode, [pu_b], serve, [(b_end, control_b, size, False)],
                                           opts.context(), opts.deadline, labels=["side B"]) as group:
        send(writer.stamp(0))  # untimed: side B is awake and running before the clock starts
        control_a.recv_bytes()
        seq = 1 + (1 if opts.inject_fault else 0)  # the fault: sequence 1 is never sent
        first_timed = seq
        cpu0 = time.thread_time_ns()
        t0 = timing.perf_ns()
        stop = t0 + int(opts.min_time * 1e9)
        while True:
            for i in range(seq, seq + STREAM_BATCH):
                send(writer.stamp(i))
            seq += STREAM_BATCH
            if timing.perf_ns() >= stop:
                break
        send(writer.stamp(seq, last=True))
        seq += 1
        control_a.recv_bytes()  # side B checked the last message
        elapsed = timing.perf_ns() - t0
        cpu_a = time.thread_time_ns() - cpu0
        reports = group.finish()
    side_a = placement.observe(pu_a)
    n = seq - first_timed
    b = reports[0]["result"]
    per_s = n * 1e9 / elapsed
    extra = _base_extra(transport, variant, size, seq, cpu_a / n, b["cpu_ns"] / n)
    extra.update(msgs_per_s=per_s, bytes_per_s=per_s * size, batch=STREAM_BATCH,
                 time="from side A's first timed send until side B checked the last message")
    counters = {"items_per_second": per_s, "bytes_per_second": per_s * size, "cpu_a_ns_per_msg": cpu_a / n,
                "cpu_b_ns_per_msg": b["cpu_ns"] / n}
    return Measurement(n, elapsed / n, cpu_a / n, [side_a, reports[0]["placement"]], None, "", counters, extra)


def rtt_sizes(opts) -> list:
    if opts.size:
        return [opts.size]
    return [8] if opts.smoke else [8, 2048]  # native rtt_sizes()


def stream_sizes(opts) -> list:
    if opts.size:
        return [opts.size]
    if opts.smoke:
        return [8, 32768]  # native --quick
    sizes, n = [], 8
    while n < (1 << 20):
        sizes.append(n)
        n *= 4
    return sizes + [1 << 20]  # 8 B ... 1 MiB, powers of 4 (native stream_sizes())
