"""A failed correctness check becomes an error entry, never a number.

--inject-fault makes each benchmark's own check meet one fault (a sequence
number never sent, an increment claimed but not made, a wrong task result,
a failing child, a counter stopped at 1); the check must catch it."""
import unittest

import support
from pybench.errors import FAULT_NOTE

# One benchmark for every kind of check; names carry their own mode and placement.
CHECKED = [
    "py/pipe/mp-pipe/threads/same-pu/rtt/8",
    "py/pipe/mp-pipe/processes/same-pu/stream/8",
    "py/queue/mp-queue/processes/same-pu/rtt/8",
    "py/queue/queue-queue/threads/same-pu/stream/8",
    "py/shm/value_add/processes/compact/n2/lock",
    "py/shm/array_slots/threads/compact/n2/nolock",
    "py/shm/copy/processes/same-pu/4096",
    "py/server/rtt/processes/same-pu/manager-dict",
    "py/locks/contended/processes/compact/mp_lock/n2",
    "py/sync/wakeup/threads/same-pu/threading_semaphore",
    "py/sync/fanout/processes/compact/mp_barrier/n2",
    "py/pool/map/processes/compact/n2/chunk16",
    "py/pool/executor_submit/threads/compact/n2",
    "py/spawn/process/processes/same-pu/fork",
    "py/spawn/thread/threads/same-pu",
    "py/spawn/subprocess_run/processes/same-pu/bin-true",
    "py/countdown/split/processes/compact/w2",
]

# What each check says (a fragment of the error message).
SAYS = {
    "py/pipe/mp-pipe/threads/same-pu/rtt/8": "lost: expected sequence",
    "py/pipe/mp-pipe/processes/same-pu/stream/8": "side B (PU 0): message 1 lost",
    "py/shm/value_add/processes/compact/n2/lock": "the shared counter ended at",
    "py/shm/copy/processes/same-pu/4096": "(stale or torn)",
    "py/server/rtt/processes/same-pu/manager-dict": "get returned",
    "py/locks/contended/processes/compact/mp_lock/n2": "the counter incremented under multiprocessing.Lock ended at",
    "py/sync/wakeup/threads/same-pu/threading_semaphore": "side A rang",
    "py/sync/fanout/processes/compact/mp_barrier/n2": "different numbers of barrier rounds",
    "py/pool/map/processes/compact/n2/chunk16": "task 3 returned 5, expected 4",
    "py/spawn/process/processes/same-pu/fork": "exited with code 3",
    "py/spawn/thread/threads/same-pu": "did not run its target",
    "py/spawn/subprocess_run/processes/same-pu/bin-true": "/bin/false exited with 1",
    "py/countdown/split/processes/compact/w2": "worker 0's counter ended at 1, not 0",
}


class InjectedFaultTest(unittest.TestCase):
    def test_every_check_turns_its_fault_into_an_error_entry(self):
        before = support.shm_leftovers()
        r = support.run("--bench", ",".join(CHECKED), "--smoke", "--pus", "0", "--inject-fault")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = r.doc
        support.check_document(self, doc, expect_errors=True)
        entries = {e["name"]: e for e in doc["benchmarks"]}
        self.assertEqual(sorted(entries), sorted(CHECKED))
        for name, e in entries.items():
            self.assertTrue(e.get("error_occurred"), "%s measured despite the fault" % name)
            self.assertTrue(e["error_message"].endswith(FAULT_NOTE), e["error_message"])
            self.assertIn(SAYS.get(name, ""), e["error_message"])
            self.assertNotIn("latency", doc["primbench"]["benchmarks"][name])
        self.assertEqual(support.shm_leftovers(), before)

    def test_without_the_fault_the_same_benchmarks_measure(self):
        r = support.run("--bench", ",".join(CHECKED[:4] + CHECKED[-3:]), "--smoke", "--pus", "0")
        self.assertEqual(r.returncode, 0, r.stderr)
        support.check_document(self, r.doc)


if __name__ == "__main__":
    unittest.main()
