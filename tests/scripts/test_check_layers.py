"""scripts/check_layers.py: the tree as it is keeps the layers, and a file
that includes a layer above its own, or the run loop from reports/, fails."""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHECK = ROOT / "scripts" / "check_layers.py"


def check(root) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), str(root)], capture_output=True, text=True, timeout=60)


def tree(files: dict) -> tempfile.TemporaryDirectory:
    folder = tempfile.TemporaryDirectory()
    for name, text in files.items():
        path = pathlib.Path(folder.name) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


class CheckLayers(unittest.TestCase):
    def test_this_tree_keeps_its_layers(self):
        result = check(ROOT)
        self.assertEqual(result.returncode, 0, result.stderr)

    def test_harness_including_reports_fails_naming_the_line(self):
        with tree({"harness/soak.cpp": '#include "harness/errors.hpp"\n#include "reports/result_file.hpp"\n'}) as root:
            result = check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("harness/soak.cpp:2: harness/ includes reports/result_file.hpp", result.stderr)

    def test_benches_including_cli_fails(self):
        with tree({"benches/load/x.hpp": '#include "cli/commands.hpp"\n'}) as root:
            self.assertEqual(check(root).returncode, 1)

    def test_reports_may_read_harness_types_but_not_the_run_loop(self):
        with tree({"reports/a.cpp": '#include "harness/topology.hpp"\n'}) as root:
            self.assertEqual(check(root).returncode, 0)
        with tree({"reports/a.cpp": '#include "harness/run_loop.hpp"\n'}) as root:
            result = check(root)
        self.assertEqual(result.returncode, 1)
        self.assertIn("the run loop", result.stderr)

    def test_basics_include_nothing_of_the_project(self):
        with tree({"basics/errors.hpp": '#include "harness/clock.hpp"\n'}) as root:
            self.assertEqual(check(root).returncode, 1)


if __name__ == "__main__":
    unittest.main()
