"""scripts/ring_vs_peers.py's verdicts on known rounds: the A/A control, the
noise floor and "met despite noise" decide as its docstring says, and --pool
judges the rounds of several runs together (one pair class; each size on the
rounds that measured it)."""
import contextlib
import importlib.util
import io
import json
import os
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_spec = importlib.util.spec_from_file_location("ring_vs_peers", os.path.join(ROOT, "scripts", "ring_vs_peers.py"))
ring_vs_peers = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(ring_vs_peers)

KEY = ("spsc", "x", 2048)
PEERS = ["boost-spsc", "moodycamel-rwq"]


def rounds_of(*groups):
    """Each group: ((our first run, our second run), boost-spsc, moodycamel-rwq)."""
    return [{KEY: {"ours": list(ours), "boost-spsc": boost, "moodycamel-rwq": rwq}} for ours, boost, rwq in groups]


def judge(rounds, larger_better):
    return ring_vs_peers.judge(rounds, KEY, PEERS, larger_better)


class Verdicts(unittest.TestCase):
    def test_latency_below_the_best_peer_is_met_with_the_median_ratio(self):
        # ours: geometric means 900, 1000, 1100; best (lowest) peer 1000 each round
        v = judge(rounds_of(((900, 900), 1200, 1000), ((1000, 1000), 1000, 1100), ((1100, 1100), 1000, 2000)),
                  larger_better=False)
        self.assertEqual(v["verdict"], "met")
        self.assertAlmostEqual(v["median_ratio"], 1.0)
        self.assertEqual(v["ratios_by_round"], [0.9, 1.0, 1.1])
        self.assertEqual(v["best_peer"], "boost-spsc")

    def test_a_miss_smaller_than_the_aa_noise_is_within_noise(self):
        # ratio ~1.03 while our two runs differ by 6 %
        v = judge(rounds_of(((1000, 1060), 1000, 1200)) * 3, larger_better=False)
        self.assertEqual(v["verdict"], "within noise")
        self.assertAlmostEqual(v["aa_noise"], 0.06)

    def test_a_miss_larger_than_the_aa_noise_is_missed(self):
        v = judge(rounds_of(((1200, 1210), 1000, 1100)) * 3, larger_better=False)
        self.assertEqual(v["verdict"], "MISSED")

    def test_rounds_that_changed_speed_are_left_out(self):
        # the second round's runs differ by 50 %: its ratio must not count
        v = judge(rounds_of(((2.0e6, 2.0e6), 1.0e6, 1.5e6), ((1.0e6, 1.5e6), 1.4e6, 1.4e6),
                            ((2.1e6, 2.1e6), 1.0e6, 1.4e6)), larger_better=True)
        self.assertEqual(v["kept_rounds"], 2)
        self.assertEqual(v["verdict"], "met")
        self.assertAlmostEqual(v["median_ratio"], (2.0 / 1.5 + 2.1 / 1.4) / 2)

    def test_a_win_in_every_rounds_worst_case_is_met_despite_noise(self):
        # 2 of 3 rounds fail the A/A control, yet even our slower run beats the best peer
        v = judge(rounds_of(((2.0e7, 3.0e7), 1.0e7, 0.5e7), ((3.0e7, 2.0e7), 0.9e7, 1.0e7),
                            ((2.0e7, 2.0e7), 1.0e7, 1.0e7)), larger_better=True)
        self.assertEqual(v["kept_rounds"], 1)
        self.assertEqual(v["verdict"], "met despite noise")

    def test_a_noisy_round_lost_in_its_worst_case_leaves_it_unstable(self):
        # second round: our faster run beats the peer 1.95x, our slower run loses (0.95x)
        v = judge(rounds_of(((2.0e7, 3.0e7), 1.0e7, 0.5e7), ((0.95e7, 1.95e7), 1.0e7, 0.5e7),
                            ((2.0e7, 2.0e7), 1.0e7, 1.0e7)), larger_better=True)
        self.assertEqual(v["verdict"], "unstable")
        self.assertEqual(len(v["ratios_by_round"]), 3, "too few rounds kept: the figures cover every round")

    def test_latency_worst_case_is_our_longer_run(self):
        # every round noisy; our longer run (1100 ns) is still below the peer's 1150 ns
        v = judge(rounds_of(((800, 1100), 1150, 1200)) * 3, larger_better=False)
        self.assertEqual(v["verdict"], "met despite noise")
        v = judge(rounds_of(((800, 1200), 1150, 1200)) * 3, larger_better=False)
        self.assertEqual(v["verdict"], "unstable")

    def test_met_despite_noise_needs_no_kept_round(self):
        v = judge(rounds_of(((2.0e7, 3.0e7), 1.0e7, 0.5e7)) * 3, larger_better=True)
        self.assertEqual(v["kept_rounds"], 0)
        self.assertEqual(v["verdict"], "met despite noise")
        self.assertAlmostEqual(v["median_ratio"], (2.0 * 3.0) ** 0.5)

    def test_a_round_without_a_number_leaves_a_noisy_group_unstable(self):
        v = judge(rounds_of(((2.0e7, 3.0e7), 1.0e7, 0.5e7), ((None, None), 1.0e7, 1.0e7)), larger_better=True)
        self.assertEqual(v["verdict"], "unstable")

    def test_rounds_without_a_number_give_no_measurement(self):
        v = judge(rounds_of(((None, None), 1000, 1000)) * 2, larger_better=False)
        self.assertEqual(v["verdict"], "no measurement")
        self.assertEqual(v["kept_rounds"], 0)


def run_file(pair_class, sizes, rounds):
    """A --json file as a run writes it: every (class, measure, size) group in every round."""
    group = {"ours": [1000.0, 1010.0], "boost-spsc": 1100.0, "moodycamel-rwq": 1200.0,
             "boost-queue": 1100.0, "moodycamel-cq": 1200.0, "tbb-bounded": 1300.0}
    keys = [f"{c}/{m}/{z}" for c in ring_vs_peers.CLASSES for m in ring_vs_peers.MEASURES for z in sizes]
    return {"pair_class": pair_class, "aa_limit": 0.1, "rounds": [{k: dict(group) for k in keys}] * rounds, "verdicts": []}


class Pool(unittest.TestCase):
    def pool(self, *docs):
        with tempfile.TemporaryDirectory() as d:
            paths = []
            for i, doc in enumerate(docs):
                paths.append(os.path.join(d, f"run{i}.json"))
                with open(paths[-1], "w") as f:
                    f.write(doc if isinstance(doc, str) else json.dumps(doc))
            return ring_vs_peers.pooled_rounds(paths)

    def refused(self, *docs):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), self.assertRaises(SystemExit) as exit_:
            self.pool(*docs)
        self.assertEqual(exit_.exception.code, 2)
        self.assertEqual(len(err.getvalue().strip().splitlines()), 1, "one line says why")
        return err.getvalue()

    def test_rounds_of_several_runs_are_judged_together(self):
        pair_class, sizes, rounds = self.pool(run_file("cross-l3", [8, 2048], 3), run_file("cross-l3", [8, 2048], 2))
        self.assertEqual((pair_class, sizes, len(rounds)), ("cross-l3", [8, 2048], 5))
        v = ring_vs_peers.judge(rounds, ("spsc", "rtt", 2048), PEERS, larger_better=False)
        self.assertEqual((v["verdict"], v["kept_rounds"]), ("met", 5))

    def test_runs_of_different_pair_classes_do_not_pool(self):
        self.assertIn("different pair classes", self.refused(run_file("cross-l3", [8], 1), run_file("smt", [8], 1)))

    def test_runs_of_different_sizes_pool_each_size_on_the_rounds_that_measured_it(self):
        pair_class, sizes, rounds = self.pool(run_file("cross-l3", [8], 3), run_file("cross-l3", [8, 32], 2))
        self.assertEqual((sizes, len(rounds)), ([8, 32], 5))
        both = ring_vs_peers.judge(rounds, ("spsc", "rtt", 8), PEERS, larger_better=False)
        self.assertEqual((both["kept_rounds"], both["rounds"]), (5, 5))
        # 2 rounds of 5 measured 32 B: judged on those 2 (counted against all 5 it would be "unstable").
        second_only = ring_vs_peers.judge(rounds, ("spsc", "rtt", 32), PEERS, larger_better=False)
        self.assertEqual((second_only["verdict"], second_only["kept_rounds"], second_only["rounds"]), ("met", 2, 2))

    def test_a_round_lacking_a_measure_is_refused(self):
        doc = run_file("cross-l3", [8], 1)
        del doc["rounds"][0]["mpmc/stream/8"]
        self.assertIn("lacks some class or measure", self.refused(doc))

    def test_a_file_not_written_by_the_script_is_refused(self):
        self.assertIn("not a file written by --json", self.refused('{"rounds": []}'))
        self.assertIn("not a file written by --json", self.refused("not json"))


if __name__ == "__main__":
    unittest.main()
