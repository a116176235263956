"""Every group runs in smoke mode, on the pair of PUs the harness would give,
and prints one valid document whose entries all carry numbers (or, for
placements a benchmark cannot honour, an "unavailable" error entry)."""
import unittest

import support
from pybench.catalog import GROUPS

# Generous: a smoke run is well under a second per benchmark on an idle
# machine; a shared CI machine with a compiler on every core is slower.
SECONDS_PER_BENCH = 8.0


def expected_unavailable(name: str) -> bool:
    # subprocess.run's child cannot be pinned to side B: only same-pu is measured.
    return name.startswith("py/spawn/subprocess_run/") and "," in support.PAIR


class SmokeGroupsTest(unittest.TestCase):
    def run_group(self, group_id: str):
        placement = "shared-l3" if "," in support.PAIR else "same-pu"
        r = support.run("--bench", group_id, "--smoke", "--pus", support.PAIR, "--placement", placement, "--workers", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = r.doc
        support.check_document(self, doc, expect_errors=True)
        self.assertTrue(doc["benchmarks"], "group %s produced no benchmark" % group_id)
        for e in doc["benchmarks"]:
            if e.get("error_occurred"):
                self.assertTrue(expected_unavailable(e["name"]), "%s: %s" % (e["name"], e["error_message"]))
                self.assertTrue(e["error_message"].startswith("unavailable: "))
        for name, record in doc["primbench"]["benchmarks"].items():
            self.assertLess(record["elapsed_s"], SECONDS_PER_BENCH, name)
        self.assertEqual(support.shm_leftovers(), set())
        return doc


def _make(group_id):
    def test(self):
        self.run_group(group_id)
    test.__name__ = "test_" + group_id.replace("-", "_")
    test.__doc__ = "group %s in smoke mode" % group_id
    return test


for _g in GROUPS:
    setattr(SmokeGroupsTest, "test_" + _g.id.replace("-", "_"), _make(_g.id))


if __name__ == "__main__":
    unittest.main()
