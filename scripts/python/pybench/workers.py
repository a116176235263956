"""Pinned workers, as threads or as processes, that report back.

A worker runs body(*args) after pinning itself to its PU, then reads back
where it ran (after the work, so a migration is caught) and sends a report:
{"worker", "placement", "result" | "error"}. Threads report through a list,
processes through a one-way Pipe. finish() collects every report, joins every
worker, and turns a worker's error, death or lateness into WorkerFailure.
Leaving the `with` block early (an exception, KeyboardInterrupt) terminates
and joins whatever is still running: no process outlives its benchmark.

Bodies and their arguments must be picklable (module-level functions,
multiprocessing objects) so that the spawn and forkserver start methods work.
"""
from __future__ import annotations

import multiprocessing
import threading
import time

from . import deadline, placement
from .errors import Unavailable, WorkerFailure, describe

START_METHODS = ("fork", "spawn", "forkserver")


def mp_context(method: str):
    """The multiprocessing context of a start method, or Unavailable."""
    available = multiprocessing.get_all_start_methods()
    if method not in available:
        raise Unavailable("start method %s is not available here (available: %s)" % (method, ", ".join(available)))
    return multiprocessing.get_context(method)


def assign_pus(pus: list, n: int) -> tuple:
    """n workers on the given PUs in order, cycling when there are fewer PUs
    than workers; the second value says whether any PU is shared."""
    chosen = [pus[i % len(pus)] for i in range(n)]
    return chosen, len(set(chosen)) < n


def _run_body(index: int, pu: int, body, args) -> dict:
    report = {"worker": index}
    try:
        placement.pin_current(pu)
        report["result"] = body(*args)
    except BaseException as exc:  # a worker reports even KeyboardInterrupt, then ends
        report["error"] = describe(exc)
    try:
        report["placement"] = placement.observe(pu)
    except OSError as exc:
        report["placement"] = missing_placement(pu)
        report.setdefault("error", "placement read-back failed: %s" % exc)
    return report


def _process_main(conn, index, pu, body, args, safety_s) -> None:
    deadline.child_safety_net(safety_s)
    report = _run_body(index, pu, body, args)
    try:
        conn.send(report)
    finally:
        conn.close()


def missing_placement(pu: int) -> dict:
    return {"requested_pu": pu, "observed_pu": -1, "bound_cpus": 0, "binding_exact": False, "ok": False}


class WorkerGroup:
    """Workers i = 0..n-1, each body(*args_list[i]) on pus[i]."""

    def __init__(self, mode: str, pus: list, body, args_list: list, context=None, timeout_s: float = 60.0,
                 labels: list = None):
        if mode not in ("threads", "processes"):
            raise ValueError("mode must be threads or processes, not %r" % mode)
        self.mode, self.pus, self.body, self.args_list = mode, list(pus), body, args_list
        self.context = context or multiprocessing.get_context("fork")
        self.timeout_s = timeout_s
        self.labels = labels or ["worker %d" % i for i in range(len(self.pus))]  # how errors name them
        self._workers, self._conns, self._thread_reports = [], [], {}
        self._finished = False

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if not self._finished:
            self.abort()
        return False

    def start(self) -> None:
        for i, pu in enumerate(self.pus):
            args = tuple(self.args_list[i])
            if self.mode == "threads":
                t = threading.Thread(target=self._thread_main, args=(i, pu, args), name="pb-worker-%d" % i, daemon=True)
                self._workers.append(t)
                t.start()
            else:
                receiver, sender = self.context.Pipe(duplex=False)
                p = self.context.Process(target=_process_main, name="pb-worker-%d" % i,
                                         args=(sender, i, pu, self.body, args, self.timeout_s + 5))
                self._workers.append(p)
                self._conns.append(receiver)
                p.start()
                sender.close()  # the child holds the only write end: its death reads as EOF

    def _thread_main(self, index, pu, args) -> None:
        self._thread_reports[index] = _run_body(index, pu, self.body, args)

    def finish(self) -> list:
        """Every worker's report, in worker order; WorkerFailure on any problem."""
        reports = self._collect()
        self._finished = True
        problems = []
        for i, r in enumerate(reports):
            if "error" in r:
                problems.append("%s (PU %d): %s" % (self.labels[i], self.pus[i], r["error"]))
        if problems:
            raise WorkerFailure("; ".join(problems))
        return reports

    def _collect(self) -> list:
        end = time.monotonic() + self.timeout_s
        reports = []
        try:
            for i, worker in enumerate(self._workers):
                remaining = max(0.0, end - time.monotonic())
                if self.mode == "threads":
                    worker.join(remaining)
                    report = self._thread_reports.get(i)
                    if report is None:
                        report = {"worker": i, "error": "did not finish within %.3g s" % self.timeout_s}
                else:
                    report = self._receive(i, remaining)
                report.setdefault("placement", missing_placement(self.pus[i]))
                reports.append(report)
        finally:
            if self.mode == "processes":
                self._join_processes(max(0.0, end - time.monotonic()))
        return reports

    def _receive(self, i: int, remaining: float) -> dict:
        conn = self._conns[i]
        try:
            if conn.poll(remaining):
                return conn.recv()
        except EOFError:
            pass
        proc = self._workers[i]
        proc.join(0.5)
        if proc.exitcode is None:
            return {"worker": i, "error": "did not report within %.3g s" % self.timeout_s}
        return {"worker": i, "error": "exited with code %s before reporting" % proc.exitcode}

    def _join_processes(self, grace: float) -> None:
        for proc in self._workers:
            proc.join(grace)
            grace = 0.0
        for proc in self._workers:
            if proc.exitcode is None:
                proc.terminate()
                proc.join(1.0)
            if proc.exitcode is None:
                proc.kill()
                proc.join()
        for conn in self._conns:
            conn.close()

    def abort(self) -> None:
        """Ends the group after a failure on the calling side."""
        self._finished = True
        if self.mode == "processes":
            for proc in self._workers:
                if proc.exitcode is None:
                    proc.terminate()
            self._join_processes(1.0)
        else:
            for t in self._workers:  # threads cannot be killed: they are daemons, given a moment to end
                t.join(0.2)


def placements(reports: list) -> list:
    return [r["placement"] for r in reports]
