#!/usr/bin/env python3
"""Fails when a C++ file includes a folder above its own layer.

The folders are layers, lowest first (docs/ARCHITECTURE.md):
basics/ < harness/ < benches/ < reports/ < cli/. A layer may include its own
folder and the folders below it, with one exception: reports/ sits on the
result model and never on the run loop, so it includes none of the harness
headers that run benchmarks, even though harness/ is below it (reports/ does
not need benches/ either). tests/ and fuzz/ may include anything.

Usage: scripts/check_layers.py [ROOT]
"""
import pathlib
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/([^"]+)"', re.MULTILINE)

# folder -> the project folders its files may include
ALLOWED = {
    "basics": {"basics"},
    "harness": {"basics", "harness"},
    "benches": {"basics", "harness", "benches"},
    "reports": {"basics", "harness", "reports"},
    "cli": {"basics", "harness", "benches", "reports", "cli"},
}
# The run loop and what carries it out: below reports/ in the tree, but not
# for reports/ to include (it reads what a run wrote, never runs one).
RUN_LOOP = {
    "harness/run_loop.hpp",
    "harness/python_suite.hpp",
    "harness/supervisor.hpp",
    "harness/workers.hpp",
    "harness/peer_session.hpp",
    "harness/bench_registry.hpp",
}


def violations(root: pathlib.Path):
    for folder, allowed in ALLOWED.items():
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h") or not path.is_file():
                continue
            text = path.read_text(errors="replace")
            for match in INCLUDE.finditer(text):
                target, rest = match.group(1), match.group(2)
                header = f"{target}/{rest}"
                line = text.count("\n", 0, match.start()) + 1
                where = f"{path.relative_to(root)}:{line}"
                if target in ALLOWED and target not in allowed:
                    yield f"{where}: {folder}/ includes {header} (a layer above it)"
                elif folder == "reports" and header in RUN_LOOP:
                    yield f"{where}: reports/ includes {header} (the run loop)"


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    found = list(violations(root))
    for v in found:
        print(f"check_layers: {v}", file=sys.stderr)
    print(f"check_layers: {len(found)} include(s) against the layers")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
