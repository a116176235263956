"""The ways a benchmark ends without a number. Each becomes an error entry
whose message says what went wrong; none is ever replaced by a value."""


class BenchError(RuntimeError):
    """A benchmark could not produce an honest number."""


class CheckFailed(BenchError):
    """A correctness check failed: a lost message, a counter off, a wrong result."""


class Unavailable(BenchError):
    """The benchmark cannot run as asked here (a start method, a placement)."""

    def __init__(self, reason: str):
        super().__init__("unavailable: " + reason)


class WorkerFailure(BenchError):
    """A worker reported an error, died, or missed the deadline."""


FAULT_NOTE = " (fault injected by --inject-fault)"


def describe(exc: BaseException) -> str:
    """One line naming what went wrong: our own errors as they are, others with their type."""
    if isinstance(exc, BenchError):
        return str(exc)
    text = str(exc)
    return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__
