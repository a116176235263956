"""The CLI contract the harness is wired to: --list, --list-groups,
--list-pairs, one strict JSON document, exit statuses."""
import json
import unittest

import support


class OutputContractTest(unittest.TestCase):
    def test_one_document_with_google_benchmark_entries_and_records(self):
        name = "py/locks/uncontended/threads/threading_lock"
        r = support.run("--bench", name, "--smoke", "--pus", str(support.ALLOWED[0]), "--repetitions", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = r.doc  # the whole of stdout is one JSON document
        support.check_document(self, doc)
        entries = doc["benchmarks"]
        self.assertEqual([e["repetition_index"] for e in entries], [0, 1])
        self.assertTrue(all(e["repetitions"] == 2 and e["run_name"] == name for e in entries))
        record = doc["primbench"]["benchmarks"][name]
        self.assertEqual((record["family"], record["mode"]), ("locks", "threads"))
        self.assertIn("batch", record["extra"])
        for key in ("p50", "p90", "p99", "p999", "max", "count"):
            self.assertIn(key, record["latency"]["percentiles"])

    def test_list_prints_names_that_run(self):
        r = support.run("--list", "--bench", "sync", "--smoke", "--pus", support.PAIR, "--placement", "x-test")
        self.assertEqual(r.returncode, 0, r.stderr)
        names = r.stdout.split()
        self.assertIn("py/sync/wakeup/threads/x-test/threading_event", names)
        self.assertIn("py/sync/fanout/processes/x-test/mp_barrier/n%d" % min(2, len(support.ALLOWED)), names)
        run = support.run("--bench", "py/sync/wakeup/threads/x-test/threading_event", "--smoke", "--pus", support.PAIR)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual([e["name"] for e in run.doc["benchmarks"]], ["py/sync/wakeup/threads/x-test/threading_event"])
        record = run.doc["primbench"]["benchmarks"]["py/sync/wakeup/threads/x-test/threading_event"]
        self.assertEqual(record["placement"]["name"], "x-test")

    def test_list_groups_names_every_group(self):
        r = support.run("--list-groups")
        self.assertEqual(r.returncode, 0, r.stderr)
        ids = [line.split()[0] for line in r.stdout.splitlines()]
        self.assertEqual(ids, ["pipe", "queue", "shm-counters", "shm-copy", "manager", "locks", "sync", "pool",
                               "spawn", "countdown"])

    def test_list_pairs_gives_the_native_name(self):
        r = support.run("--list-pairs", "--bench", "pipe", "--smoke", "--pus", "0", "--mode", "processes")
        self.assertEqual(r.returncode, 0, r.stderr)
        rows = [line.split("\t") for line in r.stdout.splitlines()]
        self.assertIn(["py/pipe/mp-pipe/processes/same-pu/rtt/8", "pipe/unix-stream/processes/same-pu/rtt/8", "paired"],
                      rows)

    def test_bad_input_is_one_line_and_status_2(self):
        for args in (["--bench", "py/no/such/bench"], ["--pus", "100000"], ["--mode", "fibers"], ["--min-time", "nan"]):
            r = support.run(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertEqual(r.stdout, "", args)
            self.assertEqual(len(r.stderr.strip().splitlines()), 1, r.stderr)

    def test_error_entries_are_strict_json(self):
        # A size the copy cannot carry: an "unavailable" entry, never a number.
        r = support.run("--bench", "py/shm/copy/processes/same-pu/8", "--pus", "0", "--smoke")
        self.assertEqual(r.returncode, 0, r.stderr)
        (entry,) = r.doc["benchmarks"]
        self.assertTrue(entry["error_occurred"])
        self.assertIn("unavailable: a 8-byte buffer", entry["error_message"])
        self.assertNotIn("NaN", r.stdout)
        json.loads(r.stdout)


if __name__ == "__main__":
    unittest.main()
