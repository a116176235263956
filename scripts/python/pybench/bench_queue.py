"""py/queue: Python's queues between two pinned sides.

  py/queue/<primitive>/<mode>/<placement>/<rtt|stream>/<size>

  mp-queue         multiprocessing.Queue(maxsize=64): put() hands the object to
                   a feeder thread that pickles it into an os.pipe(); get()
                   reads and unpickles under a lock
  mp-simplequeue   multiprocessing.SimpleQueue: pickled and written to the
                   os.pipe() by put() itself, under a lock
  queue-queue      queue.Queue(maxsize=64): a deque with a Condition, threads only
                   (the native mutex-cv queue is its analogue)
A round trip uses one queue per direction.
"""
from __future__ import annotations

import queue

from . import message_exchange
from .errors import Unavailable
from .message_exchange import QUEUE_MAXSIZE, QueueEndpoint
from .registry import Group

PATTERN = "py/queue/{primitive}/{mode}/{placement}/{measure}/{size}"


class _TwoQueues:
    """One queue per direction, made by make()."""

    api = ""
    notes = {}

    def __init__(self, make):
        self.ab, self.ba = make(), make()

    def endpoints(self):
        return QueueEndpoint(self.ab, self.ba), QueueEndpoint(self.ba, self.ab)

    def close(self, flush: bool = True):
        for q in (self.ab, self.ba):
            if hasattr(q, "join_thread"):  # mp.Queue: end this process's feeder thread
                if not flush:
                    q.cancel_join_thread()  # its reader may be gone: do not wait to flush
                q.close()
                q.join_thread()
            elif hasattr(q, "close"):
                q.close()


class MpQueue(_TwoQueues):
    api = "multiprocessing.Queue(maxsize=%d).put / get" % QUEUE_MAXSIZE
    notes = {"mechanism": "pickle + os.pipe(); put() returns once a feeder thread has the object",
             "maxsize": QUEUE_MAXSIZE, "feeder_thread": "started by the first put(), inherits that thread's PU"}

    def __init__(self, context):
        super().__init__(lambda: context.Queue(QUEUE_MAXSIZE))


class MpSimpleQueue(_TwoQueues):
    api = "multiprocessing.SimpleQueue().put / get"
    notes = {"mechanism": "pickle + os.pipe(), written by put() itself under a lock", "maxsize": "none (the pipe's buffer)"}

    def __init__(self, context):
        super().__init__(context.SimpleQueue)


class ThreadQueue(_TwoQueues):
    api = "queue.Queue(maxsize=%d).put / get" % QUEUE_MAXSIZE
    notes = {"mechanism": "collections.deque + threading.Condition", "maxsize": QUEUE_MAXSIZE}

    def __init__(self, context):
        super().__init__(lambda: queue.Queue(QUEUE_MAXSIZE))


PRIMITIVES = {"mp-queue": (MpQueue, ("threads", "processes")),
              "mp-simplequeue": (MpSimpleQueue, ("threads", "processes")),
              "queue-queue": (ThreadQueue, ("threads",))}


class QueueGroup(Group):
    id = "queue"
    family = "queue"
    summary = "multiprocessing.Queue, SimpleQueue, queue.Queue: round trip and one-way stream by message size"
    patterns = (PATTERN,)

    def variants(self, opts):
        out = []
        for primitive, (_, modes) in PRIMITIVES.items():
            for mode in opts.modes(modes):
                for measure, sizes in (("rtt", message_exchange.rtt_sizes(opts)),
                                       ("stream", message_exchange.stream_sizes(opts))):
                    for size in sizes:
                        out.append(self.variant(PATTERN, primitive=primitive, mode=mode,
                                                placement=opts.pair_placement(), measure=measure, size=size))
        return out

    def measure(self, variant, opts):
        make, modes = PRIMITIVES[variant.params["primitive"]]
        if variant.mode not in modes:
            raise Unavailable("%s has no %s mode" % (variant.params["primitive"], variant.mode))
        return message_exchange.measure(variant, opts, lambda: make(opts.context()))
