"""Names and groups: a full name runs exactly the benchmark --list showed,
with the mode, placement and parameters the name spells."""
import unittest

import support  # noqa: F401 - puts scripts/python on sys.path
from pybench import naming, registry, stats
from pybench.catalog import GROUPS
from pybench.options import Options, UsageError


class ResolveTest(unittest.TestCase):
    def test_every_listed_name_resolves_to_itself(self):
        opts = Options(pus=[0], placement="shared-l3", workers=2, smoke=True)
        for v in registry.select([], GROUPS, opts):
            got = registry.resolve(v.name, GROUPS, Options(pus=[0]))
            self.assertEqual((got.name, got.group.id), (v.name, v.group.id))
            self.assertEqual(got.params, v.params, v.name)

    def test_a_name_sets_its_own_size_workers_and_method(self):
        v = registry.resolve("py/pipe/mp-pipe/processes/cross-numa/stream/12345", GROUPS, Options())
        self.assertEqual((v.mode, v.placement, v.params["size"]), ("processes", "cross-numa", 12345))
        v = registry.resolve("py/countdown/full/threads/spread/w7", GROUPS, Options())
        self.assertEqual(v.params["workers"], 7)
        v = registry.resolve("py/spawn/process/processes/same-pu/forkserver", GROUPS, Options(start_method="fork"))
        self.assertEqual(v.params["method"], "forkserver")

    def test_unknown_names_are_usage_errors(self):
        for name in ("py/pipe/mp-pipe/fibers/same-pu/rtt/8", "py/pool/map/threads/compact/n2/chunk7",
                     "py/locks/uncontended/processes/threading_lock", "py/shm/copy/processes/same-pu/0"):
            with self.assertRaises(UsageError, msg=name):
                registry.resolve(name, GROUPS, Options())

    def test_selectors_mix_groups_and_names_without_repeats(self):
        opts = Options(pus=[0], smoke=True)
        names = [v.name for v in registry.select(["countdown", "py/countdown/split/threads/same-pu/w1"], GROUPS, opts)]
        self.assertEqual(len(names), len(set(names)))
        self.assertIn("py/countdown/split/threads/same-pu/w1", names)

    def test_mode_filter(self):
        names = [v.name for v in registry.select(["queue"], GROUPS, Options(mode="threads", smoke=True))]
        self.assertTrue(names)
        self.assertTrue(all("/threads/" in n for n in names), names)

    def test_group_patterns_describe_their_names(self):
        for g in GROUPS:
            for v in g.variants(Options(pus=[0], smoke=True)):
                self.assertTrue(any(naming.pattern_regex(p).match(v.name) for p in g.patterns), v.name)


class PercentilesTest(unittest.TestCase):
    def test_nearest_rank_reports_measured_values(self):
        p = stats.percentiles(list(range(1, 101)))  # 1..100
        self.assertEqual((p["p50"], p["p90"], p["p99"], p["p999"], p["max"], p["min"]), (50, 90, 99, 100, 100, 1))
        self.assertEqual((p["count"], p["mean"]), (100, 50.5))

    def test_one_sample(self):
        p = stats.percentiles([7.5])
        self.assertEqual({p[k] for k in ("p50", "p99", "p9999", "max", "min", "mean")}, {7.5})

    def test_no_sample_is_an_error_not_a_number(self):
        with self.assertRaises(ValueError):
            stats.percentiles([])


if __name__ == "__main__":
    unittest.main()
