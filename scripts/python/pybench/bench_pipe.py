"""py/pipe: multiprocessing.Pipe between two pinned sides.

  py/pipe/mp-pipe/<mode>/<placement>/<rtt|stream>/<size>

Pipe(duplex=True) is a socketpair(AF_UNIX, SOCK_STREAM) on Linux: the native
counterpart is pipe/unix-stream/... . send_bytes/recv_bytes are used (no
pickling); each message travels with a 4-byte length header (8 above 2 GiB).
"""
from __future__ import annotations

from . import message_exchange
from .message_exchange import ConnEndpoint
from .registry import Group

PATTERN = "py/pipe/{primitive}/{mode}/{placement}/{measure}/{size}"


class PipeTransport:
    api = "multiprocessing.Pipe(duplex=True).send_bytes / recv_bytes"
    notes = {"kernel_object": "socketpair(AF_UNIX, SOCK_STREAM)", "framing": "4-byte length header per message"}

    def __init__(self, context):
        self.a, self.b = context.Pipe(duplex=True)

    def endpoints(self):
        return ConnEndpoint(self.a), ConnEndpoint(self.b)

    def close(self, flush: bool = True):
        self.a.close()
        self.b.close()


class PipeGroup(Group):
    id = "pipe"
    family = "pipe"
    summary = "multiprocessing.Pipe (duplex): round trip and one-way stream by message size"
    patterns = (PATTERN,)

    def variants(self, opts):
        out = []
        for mode in opts.modes():
            for measure, sizes in (("rtt", message_exchange.rtt_sizes(opts)),
                                   ("stream", message_exchange.stream_sizes(opts))):
                for size in sizes:
                    out.append(self.variant(PATTERN, primitive="mp-pipe", mode=mode, placement=opts.pair_placement(),
                                            measure=measure, size=size))
        return out

    def measure(self, variant, opts):
        return message_exchange.measure(variant, opts, lambda: PipeTransport(opts.context()))
