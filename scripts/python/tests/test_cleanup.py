"""Whatever stops a benchmark (its deadline, SIGINT), every child process is
gone and every shared-memory block unlinked, and the document still comes."""
import secrets
import signal
import subprocess
import sys
import time
import unittest

import support


class CleanupTest(unittest.TestCase):
    def test_deadline_is_an_error_entry_and_leaves_nothing(self):
        marker = "pbmark%s" % secrets.token_hex(4)  # in the name, so in every forked worker's command line
        name = "py/shm/copy/processes/%s/4096" % marker
        before = support.shm_leftovers()
        r = support.run("--bench", name, "--pus", support.PAIR, "--min-time", "60", "--deadline", "1")
        self.assertEqual(r.returncode, 0, r.stderr)
        (entry,) = r.doc["benchmarks"]
        self.assertTrue(entry["error_occurred"])
        self.assertIn("deadline", entry["error_message"])
        self.assertLess(r.seconds, 30)
        self.assertEqual(support.shm_leftovers(), before)
        self.assertEqual(support.processes_with(marker), [])

    def test_sigint_writes_what_was_measured_and_cleans_up(self):
        marker = "pbmark%s" % secrets.token_hex(4)
        first = "py/countdown/split/threads/compact/w1"  # a fixed amount of work, whatever --min-time says
        second = "py/shm/copy/processes/%s/4096" % marker
        before = support.shm_leftovers()
        proc = subprocess.Popen([sys.executable, support.PROGRAM, "--bench", first + "," + second, "--pus", support.PAIR,
                                 "--smoke", "--count", "1000", "--min-time", "60"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Wait until the copy is under way (its block exists), then interrupt it.
        try:
            end = time.monotonic() + 120
            while support.shm_leftovers() == before and time.monotonic() < end and proc.poll() is None:
                time.sleep(0.05)
            self.assertNotEqual(support.shm_leftovers(), before, "the copy never started")
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 130, err)
        doc = support.strict_json(out)
        entries = {e["name"]: e for e in doc["benchmarks"]}
        self.assertGreater(entries[first]["iterations"], 0)
        self.assertIn("interrupted by signal 2", entries[second]["error_message"])
        self.assertEqual(support.shm_leftovers(), before)
        self.assertEqual(support.processes_with(marker), [])


if __name__ == "__main__":
    unittest.main()
