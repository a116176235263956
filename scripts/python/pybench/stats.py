"""Percentiles of latency samples (nanoseconds), as the native records give them."""
from __future__ import annotations

import math

# The percentiles every record carries (native: harness/latency_histogram.hpp).
_QUANTILES = (("p50", 0.50), ("p90", 0.90), ("p99", 0.99), ("p999", 0.999), ("p9999", 0.9999))


def nearest_rank(sorted_values: list, q: float) -> float:
    """The smallest sample with at least q of all samples at or below it.

    Nearest rank, not interpolation: every reported value is one that was
    measured. With few samples the high percentiles are simply the maximum.
    """
    if not sorted_values:
        raise ValueError("no samples")
    rank = max(1, math.ceil(q * len(sorted_values)))
    return float(sorted_values[rank - 1])


def percentiles(samples: list) -> dict:
    """p50 ... p9999, min, max, mean and count of the samples."""
    ordered = sorted(samples)
    out = {name: nearest_rank(ordered, q) for name, q in _QUANTILES}
    out["min"] = float(ordered[0])
    out["max"] = float(ordered[-1])
    out["mean"] = math.fsum(ordered) / len(ordered)
    out["count"] = len(ordered)
    return out


def median(values: list) -> float:
    return nearest_rank(sorted(values), 0.5)
