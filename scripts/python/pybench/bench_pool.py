"""py/pool: dispatching tiny tasks to N pinned pool workers.

  py/pool/apply/<mode>/<placement>/n<N>               pool.apply(f, (i,)): one task, wait for it
  py/pool/apply_async/<mode>/<placement>/n<N>         M apply_async, then every get()
  py/pool/map/<mode>/<placement>/n<N>/chunk<C>        pool.map(f, range(M), chunksize=C), C = 1, 16, 256
  py/pool/imap_unordered/<mode>/<placement>/n<N>      sorted(pool.imap_unordered(f, range(M)))
  py/pool/executor_submit/<mode>/<placement>/n<N>     M executor.submit(f, i), then every result()

mode threads: multiprocessing.pool.ThreadPool and ThreadPoolExecutor;
processes: multiprocessing.Pool and ProcessPoolExecutor (started with
--start-method, default fork). f(x) = x + 1. Each pool worker pins itself in
the pool's initializer (worker k to the k-th of --pus); the caller, the
calling thread, is pinned to the first of --pus, as is what the pool starts
in the caller's process (result and task handler threads). Placement is read
back at the end by N tasks that each wait at an N-party barrier, so every
worker runs exactly one. Time per operation is per task; every result is
checked (exactly once, the right value).
"""
from __future__ import annotations

import concurrent.futures
import multiprocessing.pool
import threading

from . import placement, timing
from .errors import CheckFailed
from .registry import Group
from .results import Measurement
from .workers import assign_pus

PATTERN = "py/pool/{api}/{mode}/{placement}/n{workers}"
CHUNKED = "py/pool/{api}/{mode}/{placement}/n{workers}/chunk{chunk}"
APIS = ("apply", "apply_async", "map", "imap_unordered", "executor_submit")
CHUNKS = (1, 16, 256)
BARRIER_TIMEOUT_S = 30.0

_worker = threading.local()  # in a pool process: its main thread; in a ThreadPool: each worker thread


def init_worker(pus, next_index, barrier) -> None:
    """The pool initializer: take the next worker number and pin to its PU."""
    with next_index.get_lock():
        index = next_index.value
        next_index.value += 1
    _worker.index, _worker.pu, _worker.barrier, _worker.pin_error = index, pus[index % len(pus)], barrier, None
    try:
        placement.pin_current(_worker.pu)
    except placement.PinError as exc:  # a pool re-creates a dead worker for ever: report it instead
        _worker.pin_error = str(exc)


def where(_ignored) -> tuple:
    _worker.barrier.wait(BARRIER_TIMEOUT_S)  # every worker takes exactly one of these tasks
    if _worker.pin_error:
        return _worker.index, dict(placement.observe(_worker.pu), error=_worker.pin_error)
    return _worker.index, placement.observe(_worker.pu)


def plus_one(x: int) -> int:
    return x + 1


def plus_one_wrong_at_3(x: int) -> int:
    return x + 2 if x == 3 else x + 1  # --inject-fault: one wrong result


def batch_size(api: str, smoke: bool) -> int:
    """Tasks per timed sample (one for apply: it waits for each task)."""
    if api == "apply":
        return 1
    if api == "map":
        return 256 if smoke else 1024  # at least 4 chunks of 256 for n = 2
    return 32 if smoke else 256


class _Pools:
    """The pool or executor of an API and mode, with its workers pinned."""

    def __init__(self, api: str, mode: str, n: int, pus: list, context):
        self.api, self.mode = api, mode
        self.next_index = context.Value("i", 0)
        self.barrier = threading.Barrier(n) if mode == "threads" else context.Barrier(n)
        args = (pus, self.next_index, self.barrier)
        if api == "executor_submit":
            if mode == "threads":
                self.pool = concurrent.futures.ThreadPoolExecutor(n, initializer=init_worker, initargs=args)
                self.python_api = "concurrent.futures.ThreadPoolExecutor(%d)" % n
            else:
                self.pool = concurrent.futures.ProcessPoolExecutor(n, mp_context=context, initializer=init_worker,
                                                                   initargs=args)
                self.python_api = "concurrent.futures.ProcessPoolExecutor(%d)" % n
        elif mode == "threads":
            self.pool = multiprocessing.pool.ThreadPool(n, init_worker, args)
            self.python_api = "multiprocessing.pool.ThreadPool(%d)" % n
        else:
            self.pool = context.Pool(n, init_worker, args)
            self.python_api = "multiprocessing.Pool(%d)" % n

    def where(self, n: int) -> list:
        if self.api == "executor_submit":
            return [f.result() for f in [self.pool.submit(where, i) for i in range(n)]]
        return self.pool.map(where, range(n), chunksize=1)

    def close(self) -> None:
        if self.api == "executor_submit":
            self.pool.shutdown(wait=True)
        else:
            self.pool.close()
            self.pool.join()

    def terminate(self) -> None:
        if self.api == "executor_submit":
            self.pool.shutdown(wait=True, cancel_futures=True)
        else:
            self.pool.terminate()
            self.pool.join()


def first_wrong(results: list, m: int):
    """None, or what is wrong with the results of tasks 0..m-1."""
    if len(results) != m:
        return "%d results came back for %d tasks" % (len(results), m)
    for i, got in enumerate(results):
        if got != i + 1:
            return "task %d returned %r, expected %d" % (i, got, i + 1)
    return None


def _dispatcher(pools: _Pools, api: str, chunk: int, task):
    """run(m): m tasks through the API, returning their results in input order."""
    pool = pools.pool
    if api == "apply":
        return lambda m: [pool.apply(task, (i,)) for i in range(m)]
    if api == "apply_async":
        return lambda m: [r.get() for r in [pool.apply_async(task, (i,)) for i in range(m)]]
    if api == "map":
        return lambda m: pool.map(task, range(m), chunksize=chunk)
    if api == "imap_unordered":
        return lambda m: sorted(pool.imap_unordered(task, range(m)))
    return lambda m: [f.result() for f in [pool.submit(task, i) for i in range(m)]]


class PoolGroup(Group):
    id = "pool"
    family = "pool"
    summary = "Pool.apply / apply_async / map (chunksize 1, 16, 256) / imap_unordered, ThreadPool, executors"
    patterns = (PATTERN, CHUNKED)

    def variants(self, opts):
        out = []
        for mode in opts.modes():
            for api in APIS:
                common = dict(api=api, mode=mode, placement=opts.group_placement(), workers=opts.worker_count())
                if api == "map":
                    out.extend(self.variant(CHUNKED, chunk=c, **common) for c in CHUNKS)
                else:
                    out.append(self.variant(PATTERN, chunk=1, **common))
        return out

    def measure(self, variant, opts):
        api, n, chunk = variant.params["api"], variant.params["workers"], variant.params["chunk"]
        pus, oversubscribed = assign_pus(opts.worker_pus(), n)
        caller_pu = pus[0]
        placement.pin_current(caller_pu)
        pools = _Pools(api, variant.mode, n, pus, opts.context())
        m = batch_size(api, opts.smoke)
        wrong = []
        task = plus_one_wrong_at_3 if opts.inject_fault else plus_one
        dispatch = _dispatcher(pools, api, chunk, task)
        expected = list(range(1, m + 1))

        def run(k: int) -> None:
            out = dispatch(k)
            if out != expected and not wrong:
                wrong.append(first_wrong(out, k))

        try:
            pools.where(n)  # every worker started and pinned before the clock starts
            timing.warm_up(run, m, opts.min_time * 0.2)
            t = timing.time_batches(run, m, opts.min_time)
            seen = sorted(pools.where(n))
            pools.close()
        except BaseException:
            pools.terminate()
            raise
        if wrong:
            raise CheckFailed(wrong[0])
        caller = placement.observe(caller_pu)
        workers = [w for _, w in seen]
        errors = [w["error"] for w in workers if "error" in w]
        if errors:
            raise CheckFailed("pool worker pinning failed: " + "; ".join(errors))
        if [i for i, _ in seen] != list(range(n)):
            raise CheckFailed("the placement tasks ran on workers %s, expected each of 0..%d once"
                              % ([i for i, _ in seen], n - 1))
        extra = {"python_api": pools.python_api, "api": api, "tasks_per_sample": m, "task": "f(x) = x + 1",
                 "roles": "worker 0 = the caller (it shares its PU with pool worker 0), workers 1..N = pool workers",
                 "checks": "every result, in input order (sorted for imap_unordered): exactly once, the right value"}
        if api == "map":
            extra["chunksize"] = chunk
        counters = {"items_per_second": 1e9 / t.ns_per_op}
        return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [caller] + workers, t.samples_ns,
                           "one task, dispatched and its result received (mean of %d tasks)" % m if m > 1 else
                           "one task, dispatched and its result received", counters, extra, oversubscribed)
