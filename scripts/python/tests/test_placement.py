"""Pinning and read-back: a worker asked for PU p reports p, as a thread and
as a process, and the /proc parsing survives odd command names."""
import os
import threading
import unittest

import support
from pybench import placement


class ParseProcessorTest(unittest.TestCase):
    def test_field_39_counted_after_the_command_name(self):
        # A command name with spaces and parentheses must not shift the fields.
        fields = ["S"] + [str(i) for i in range(4, 39)] + ["7"] + ["0"] * 13
        line = "4242 (evil ) name (x)) " + " ".join(fields) + "\n"
        self.assertEqual(placement.parse_processor(line), 7)

    def test_own_stat_line(self):
        with open("/proc/self/stat") as f:
            self.assertIn(placement.parse_processor(f.read()), os.sched_getaffinity(0))


class PinTest(unittest.TestCase):
    def setUp(self):
        self.home = os.sched_getaffinity(0)

    def tearDown(self):
        os.sched_setaffinity(0, self.home)

    def test_pin_to_cpu0_reads_back_0(self):
        placement.pin_current(0)
        seen = placement.observe(0)
        self.assertEqual(seen, {"requested_pu": 0, "observed_pu": 0, "bound_cpus": 1, "binding_exact": True,
                                "ok": True})

    def test_a_thread_pins_itself_only(self):
        last = support.ALLOWED[-1]
        seen = {}

        def worker():
            placement.pin_current(last)
            seen.update(placement.observe(last))

        t = threading.Thread(target=worker)
        t.start()
        t.join()
        self.assertTrue(seen["ok"], seen)
        self.assertEqual(os.sched_getaffinity(0), self.home)  # the caller's binding is untouched

    def test_unknown_pu_is_a_pin_error_naming_it(self):
        with self.assertRaises(placement.PinError) as caught:
            placement.pin_current(100000)
        self.assertIn("PU 100000", str(caught.exception))


class PlacementReadBackTest(unittest.TestCase):
    def test_every_worker_on_cpu0(self):
        # A pair on one PU (same-pu) and two pool workers both on PU 0: side A,
        # side B, caller and workers must all report PU 0, in both modes.
        names = ["py/pipe/mp-pipe/threads/same-pu/rtt/8", "py/pipe/mp-pipe/processes/same-pu/rtt/8",
                 "py/pool/apply/processes/same-pu/n2"]
        r = support.run("--bench", ",".join(names), "--smoke", "--pus", "0", "--placement", "same-pu")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = r.doc
        self.assertEqual(sorted(e["name"] for e in doc["benchmarks"]), sorted(names))
        for name in names:
            workers = doc["primbench"]["benchmarks"][name]["placement"]["workers"]
            self.assertGreaterEqual(len(workers), 2, name)
            for w in workers:
                self.assertEqual((w["requested_pu"], w["observed_pu"], w["ok"]), (0, 0, True), name)
        pool = doc["primbench"]["benchmarks"]["py/pool/apply/processes/same-pu/n2"]
        self.assertTrue(pool["placement"]["oversubscribed"])  # two workers on one PU, and the record says so

    @unittest.skipUnless(len(support.ALLOWED) > 1, "needs two PUs")
    def test_pair_on_two_pus(self):
        a, b = support.ALLOWED[0], support.ALLOWED[1]
        name = "py/pipe/mp-pipe/processes/x-pair/rtt/8"
        r = support.run("--bench", name, "--smoke", "--pus", "%d,%d" % (a, b))
        self.assertEqual(r.returncode, 0, r.stderr)
        workers = r.doc["primbench"]["benchmarks"][name]["placement"]["workers"]
        self.assertEqual([(w["requested_pu"], w["observed_pu"]) for w in workers], [(a, a), (b, b)])


if __name__ == "__main__":
    unittest.main()
