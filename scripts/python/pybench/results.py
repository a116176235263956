"""The output document: Google Benchmark entries plus primbench records.

One invocation prints one JSON document:
  {"context": {...}, "benchmarks": [GB entry, ...],
   "primbench": {"benchmarks": {name: record}, "python": {...}}}
The entries have Google Benchmark's shape (the harness merges them with the
native ones); a record has the shape of the native BenchRecord
(harness/bench_record.cpp). The JSON is strict: a NaN or an infinity is a bug,
and json.dumps(allow_nan=False) refuses it rather than printing it.
"""
from __future__ import annotations

import datetime
import json
import os
import platform
import socket
import sys
import sysconfig
from dataclasses import dataclass, field

from . import stats


@dataclass
class Measurement:
    """One repetition of one benchmark, as measured (never estimated)."""

    ops: int  # Google Benchmark's "iterations": the operations the time is divided by
    real_ns_per_op: float
    cpu_ns_per_op: float
    workers: list  # placement read-backs, worker order (native: worker 0 = side A)
    samples_ns: list = None  # per-op latency samples (batch means), or None
    sample: str = ""  # what one sample is
    counters: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
    oversubscribed: bool = False


def _placement_ok(workers: list) -> bool:
    return bool(workers) and all(w["ok"] for w in workers)


def iteration_entry(name: str, index: int, repetitions: int, m: Measurement) -> dict:
    entry = {
        "name": name, "family_index": -1, "per_family_instance_index": 0, "run_name": name,
        "run_type": "iteration", "repetitions": repetitions, "repetition_index": index, "threads": 1,
        "iterations": m.ops, "real_time": m.real_ns_per_op, "cpu_time": m.cpu_ns_per_op, "time_unit": "ns",
    }
    if m.samples_ns:
        p = stats.percentiles(m.samples_ns)
        for key in ("p50", "p90", "p99", "p999"):
            entry[key + "_ns"] = p[key]
        entry["max_ns"] = p["max"]
        entry["samples"] = p["count"]
    entry["placement_ok"] = 1 if _placement_ok(m.workers) else 0
    entry.update(m.counters)
    return entry


def error_entry(name: str, message: str, index: int = 0, repetitions: int = 1) -> dict:
    """Shaped like the harness's own error entries (harness/run_loop.cpp)."""
    return {
        "name": name, "family_index": -1, "per_family_instance_index": 0, "run_name": name,
        "run_type": "iteration", "repetitions": repetitions, "repetition_index": index, "threads": 1,
        "iterations": 0, "real_time": 0, "cpu_time": 0, "time_unit": "ns",
        "error_occurred": True, "error_message": message,
    }


def record(family: str, mode: str, placement_name: str, m: Measurement = None, error: str = None) -> dict:
    """The primbench record of a benchmark (its last repetition)."""
    workers = []
    for i, w in enumerate(m.workers if m else []):
        workers.append(dict(w, worker=i))
    out = {
        "family": family,
        "mode": mode,
        "placement": {"name": placement_name, "workers": workers, "all_ok": _placement_ok(workers),
                      "oversubscribed": bool(m.oversubscribed) if m else False},
    }
    if m and m.samples_ns:
        out["latency"] = {"unit": "ns", "sample": m.sample, "percentiles": stats.percentiles(m.samples_ns)}
    extra = dict(m.extra) if m else {}
    if error:
        extra["error"] = error
    if extra:
        out["extra"] = extra
    return out


def python_facts() -> dict:
    is_gil_enabled = getattr(sys, "_is_gil_enabled", None)  # Python 3.13+
    return {
        "version": sys.version,
        "implementation": platform.python_implementation(),
        "executable": sys.executable,
        "gil_enabled": bool(is_gil_enabled()) if is_gil_enabled else True,
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "switch_interval_s": sys.getswitchinterval(),
    }


def context() -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "host_name": socket.gethostname(),
        "executable": sys.executable,
        "num_cpus": os.cpu_count(),
        "library": "primbench CPython programs (scripts/python)",
    }


def document(entries: list, records: dict) -> dict:
    return {"context": context(), "benchmarks": entries,
            "primbench": {"benchmarks": records, "python": python_facts()}}


def dumps(doc: dict) -> str:
    """Strict JSON: raises ValueError on NaN or infinity instead of writing them."""
    return json.dumps(doc, allow_nan=False, indent=1)
