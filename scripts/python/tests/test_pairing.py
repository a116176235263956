"""Every Python benchmark name pairs through scripts/python/pairing.json
with exactly one rule, and the native names the rules point at are built from
words the native benches really use."""
import glob
import json
import os
import re
import unittest

import support
from pybench import naming, pairing, registry
from pybench.catalog import GROUPS
from pybench.options import Options

# Option sets the harness may pass: default, smoke, a pair class, worker counts, one size, one mode.
OPTION_SETS = [
    Options(),
    Options(smoke=True),
    Options(pus=support.ALLOWED[:2], placement="shared-l3", workers=2),
    Options(pus=support.ALLOWED[:1], placement="compact", workers=1),
    Options(pus=support.ALLOWED[:1], placement="spread", workers=3),
    Options(size=64, mode="threads"),
    Options(size=1 << 20, mode="processes", start_method="forkserver"),
]
MODES = {"threads", "processes"}


def all_names():
    names = set()
    for opts in OPTION_SETS:
        names.update(v.name for v in registry.select([], GROUPS, opts))
    return sorted(names)


class PairingTableTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rules = pairing.load()
        cls.names = all_names()

    def test_rules_are_well_formed(self):
        with open(pairing.TABLE) as f:
            doc = json.load(f)
        self.assertTrue(doc["about"])
        re.compile(doc["native_decorations"])
        pythons = [r["python"] for r in self.rules]
        self.assertEqual(len(pythons), len(set(pythons)), "a python pattern appears twice")
        for r in self.rules:
            self.assertTrue(r["python"].startswith("py/"), r)
            self.assertIn(r["status"], ("paired", "none", "pending"), r)
            self.assertEqual(r["native"] is None, r["status"] != "paired", r)
            self.assertTrue(r["why"], r)
            if r["native"]:
                self.assertFalse(r["native"].startswith("py/"), r)
                # Every placeholder the native side uses is bound by the Python side.
                self.assertLessEqual(set(naming.placeholders(r["native"])), set(naming.placeholders(r["python"])), r)
                naming.pattern_regex(r["native"], wildcard=True)

    def test_every_listed_name_matches_exactly_one_rule(self):
        self.assertGreater(len(self.names), 100)
        for name in self.names:
            found = pairing.matching_rules(name, self.rules)
            self.assertEqual(len(found), 1, "%s matches %s" % (name, [r["python"] for r in found]))

    def test_every_rule_is_used(self):
        used = {pairing.matching_rules(n, self.rules)[0]["python"] for n in self.names}
        self.assertEqual(sorted(set(r["python"] for r in self.rules) - used), [])

    def test_native_name_keeps_mode_placement_and_parameter(self):
        rule, native = pairing.native_for("py/pipe/mp-pipe/processes/shared-l3/rtt/64", self.rules)
        self.assertEqual(native, "pipe/unix-stream/processes/shared-l3/rtt/64")
        _, native = pairing.native_for("py/locks/contended/threads/compact/threading_lock/n4", self.rules)
        self.assertEqual(native, "locks/contended/threads/compact/pthread_mutex/cs*ns_gap*ns/n4")
        self.assertTrue(naming.pattern_regex(native, wildcard=True).match(
            "locks/contended/threads/compact/pthread_mutex/cs50ns_gap100ns/n4"))
        _, native = pairing.native_for("py/countdown/split/processes/compact/w2", self.rules)
        self.assertEqual(native, "countdown/split/processes/compact/w2")
        rule, native = pairing.native_for("py/pool/map/threads/compact/n2/chunk16", self.rules)
        self.assertEqual((rule["status"], native), ("pending", None))
        with self.assertRaises(LookupError):
            pairing.native_for("py/nothing/here", self.rules)

    def test_google_benchmark_decorations_are_stripped(self):
        self.assertEqual(pairing.undecorated("pipe/unix-stream/threads/same-pu/rtt/8/min_time:0.050/real_time"),
                         "pipe/unix-stream/threads/same-pu/rtt/8")
        self.assertEqual(pairing.undecorated("countdown/full/processes/cores/w2/iterations:5/manual_time"),
                         "countdown/full/processes/cores/w2")
        self.assertEqual(pairing.undecorated("shm/copy/processes/smt/4096"), "shm/copy/processes/smt/4096")


@unittest.skipUnless(os.path.isdir(os.path.join(support.ROOT, "benches")), "the native benches are not beside this checkout")
class NativeWordsTest(unittest.TestCase):
    """A renamed native primitive or measure makes its pairing rule stale: caught here."""

    def test_every_literal_native_segment_appears_in_the_native_sources(self):
        text = ""
        for path in glob.glob(os.path.join(support.ROOT, "benches", "**", "*.[ch]pp"), recursive=True):
            with open(path, encoding="utf-8", errors="replace") as f:
                text += f.read()
        for r in pairing.load():
            if not r["native"]:
                continue
            for segment in r["native"].split("/"):
                if "{" in segment or "*" in segment or segment in MODES:
                    continue
                # As a quoted word or a segment of a quoted name: "unix-stream", "locks/uncontended/{}".
                self.assertRegex(text, r'["/]%s["/]' % re.escape(segment), "%s (rule %s)" % (segment, r["python"]))


if __name__ == "__main__":
    unittest.main()
