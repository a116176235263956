"""Shared by the tests of scripts/python: run primbench_py.py as the harness
does and read its one JSON document strictly."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

SCRIPTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(os.path.dirname(SCRIPTS))
PROGRAM = os.path.join(SCRIPTS, "primbench_py.py")
if SCRIPTS not in sys.path:
    sys.path.insert(0, SCRIPTS)

ALLOWED = sorted(os.sched_getaffinity(0))
PAIR = "%d,%d" % (ALLOWED[0], ALLOWED[1]) if len(ALLOWED) > 1 else "%d" % ALLOWED[0]
RUN_TIMEOUT_S = 120  # a generous ceiling: a loaded 2-core CI machine starts Python slowly


def _no_nan(text):
    raise ValueError("non-strict JSON constant %s" % text)


def strict_json(text: str) -> dict:
    """Parses JSON, refusing NaN / Infinity (json.loads accepts them by default)."""
    return json.loads(text, parse_constant=_no_nan)


class Run:
    def __init__(self, args, proc, seconds):
        self.args, self.returncode, self.stdout, self.stderr, self.seconds = args, proc.returncode, proc.stdout, proc.stderr, seconds

    @property
    def doc(self) -> dict:
        return strict_json(self.stdout)

    def entries(self) -> dict:
        return {e["name"]: e for e in self.doc["benchmarks"]}


def run(*args, timeout=RUN_TIMEOUT_S) -> Run:
    argv = [sys.executable, PROGRAM] + list(args)
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    return Run(argv, proc, time.monotonic() - start)


def shm_leftovers() -> set:
    try:
        return {n for n in os.listdir("/dev/shm") if n.startswith("primbench-py-")}
    except FileNotFoundError:
        return set()


def processes_with(marker: str) -> list:
    """PIDs whose command line holds `marker` (forked workers keep their parent's)."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                if marker.encode() in f.read():
                    found.append(int(pid))
        except OSError:
            pass
    return found


GB_FIELDS = ("name", "run_name", "run_type", "repetitions", "repetition_index", "threads", "iterations",
             "real_time", "cpu_time", "time_unit")
PYTHON_FIELDS = ("version", "implementation", "executable", "gil_enabled", "free_threaded_build")


def check_document(test, doc: dict, expect_errors: bool = False) -> None:
    """The contract of one output document (scripts/python/README.md)."""
    test.assertIn("benchmarks", doc)
    test.assertIn("primbench", doc)
    python = doc["primbench"]["python"]
    for key in PYTHON_FIELDS:
        test.assertIn(key, python)
    test.assertIsInstance(python["gil_enabled"], bool)
    test.assertIsInstance(python["free_threaded_build"], bool)
    records = doc["primbench"]["benchmarks"]
    for e in doc["benchmarks"]:
        for key in GB_FIELDS:
            test.assertIn(key, e, e["name"])
        test.assertTrue(e["name"].startswith("py/"), e["name"])
        test.assertEqual(e["run_type"], "iteration")
        test.assertEqual(e["time_unit"], "ns")
        test.assertEqual(e["threads"], 1)
        for key, value in e.items():
            if key not in ("name", "run_name", "run_type", "time_unit", "error_message", "error_occurred"):
                test.assertIsInstance(value, (int, float), "%s: %s" % (e["name"], key))
        if e.get("error_occurred"):
            test.assertTrue(expect_errors, "%s: %s" % (e["name"], e.get("error_message")))
            test.assertTrue(e["error_message"])
            test.assertEqual((e["iterations"], e["real_time"]), (0, 0))
            continue
        test.assertGreater(e["iterations"], 0, e["name"])
        test.assertGreater(e["real_time"], 0, e["name"])
        test.assertGreaterEqual(e["cpu_time"], 0, e["name"])
        test.assertEqual(e["placement_ok"], 1, e["name"])
        record = records[e["name"]]
        for key in ("family", "mode", "placement"):
            test.assertIn(key, record)
        workers = record["placement"]["workers"]
        test.assertTrue(workers, e["name"])
        for i, w in enumerate(workers):
            test.assertEqual(w["worker"], i)
            test.assertEqual(w["observed_pu"], w["requested_pu"], e["name"])
            test.assertTrue(w["ok"], e["name"])
        if "latency" in record:
            p = record["latency"]["percentiles"]
            test.assertEqual(record["latency"]["unit"], "ns")
            test.assertTrue(record["latency"]["sample"])
            test.assertLessEqual(p["p50"], p["p90"])
            test.assertLessEqual(p["p99"], p["p999"])
            test.assertLessEqual(p["p999"], p["max"])
            if e["repetition_index"] == e["repetitions"] - 1:  # the record describes the last repetition
                test.assertEqual(e["p50_ns"], p["p50"])
                test.assertEqual(e["samples"], p["count"])
