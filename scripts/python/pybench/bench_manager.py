"""py/server: a multiprocessing Manager's proxies, one request at a time
(native: server/rtt/processes/<class>, which the native docs call the
Manager proxy analogue).

  py/server/rtt/processes/<placement>/<proxy>     proxy: manager-dict, manager-list, manager-value

The manager's server process is pinned to --pus A (its initializer pins it
before it serves; the threads serving connections inherit the binding) and
the client, the calling thread, to B: worker 0 = server, worker 1 = client,
as natively. Operations alternate a set and a get of one item, each a full
round trip to the server; every get must return the value just set. The
server's placement is read back inside the server, by the thread that served
the proxy's requests (a registered type's method).
"""
from __future__ import annotations

import functools
from multiprocessing.managers import SyncManager

from . import placement, timing
from .errors import CheckFailed
from .registry import Group
from .results import Measurement

PATTERN = "py/server/rtt/processes/{placement}/{proxy}"
PROXIES = ("manager-dict", "manager-list", "manager-value")
BATCH = 2  # a set and the get that checks it


class WhereAmI:
    """Lives in the manager's server; observe() runs in the serving thread."""

    def observe(self, requested_pu: int) -> dict:
        return placement.observe(requested_pu)


class PinnedManager(SyncManager):
    pass


PinnedManager.register("WhereAmI", WhereAmI)


def _accessors(manager, proxy: str):
    """(set(value), get()) of one item through the proxy, and the API used."""
    if proxy == "manager-dict":
        d = manager.dict()
        return functools.partial(d.__setitem__, "k"), functools.partial(d.__getitem__, "k"), "Manager().dict(): d[k] = v / d[k]"
    if proxy == "manager-list":
        lst = manager.list([0])
        return functools.partial(lst.__setitem__, 0), functools.partial(lst.__getitem__, 0), "Manager().list(): l[0] = v / l[0]"
    v = manager.Value("q", 0)
    return v.set, v.get, "Manager().Value('q'): v.set(x) / v.get()"


class ManagerGroup(Group):
    id = "manager"
    family = "server"
    summary = "multiprocessing Manager proxies (dict, list, Value): set/get round trips to the server process"
    patterns = (PATTERN,)

    def variants(self, opts):
        if "processes" not in opts.modes():
            return []
        return [self.variant(PATTERN, mode="processes", placement=opts.pair_placement(), proxy=p) for p in PROXIES]

    def measure(self, variant, opts):
        server_pu, client_pu = opts.pair()
        manager = PinnedManager(ctx=opts.context())
        manager.start(placement.pin_current, (server_pu,))
        try:
            placement.pin_current(client_pu)
            put, get, api = _accessors(manager, variant.params["proxy"])
            state = {"seq": 0, "bad": None}

            def set_then_get(n: int, wrong: int = 0) -> None:
                seq = state["seq"]
                for _ in range(n // 2):
                    seq += 1
                    put(seq)
                    got = get()
                    if got != seq + wrong and state["bad"] is None:
                        state["bad"] = "get returned %r right after set(%r)" % (got, seq)
                state["seq"] = seq

            timing.warm_up(set_then_get, BATCH, opts.min_time * 0.2)
            if opts.inject_fault:
                set_then_get(BATCH, wrong=1)  # the check expects another value than the one set
            t = timing.time_batches(set_then_get, BATCH, opts.min_time)
            server = manager.WhereAmI().observe(server_pu)
            client = placement.observe(client_pu)
        finally:
            manager.shutdown()
        if state["bad"]:
            raise CheckFailed(state["bad"])
        extra = {"python_api": api, "batch": BATCH, "requests": state["seq"] * 2,
                 "roles": "worker 0 = manager server (pair.a), worker 1 = client",
                 "checks": "every get returns the value the set before it stored"}
        counters = {"items_per_second": 1e9 / t.ns_per_op}
        return Measurement(t.ops, t.ns_per_op, t.cpu_ns_per_op, [server, client], t.samples_ns,
                           "request round trip through a proxy (mean of a set and the get that checks it)",
                           counters, extra)
