#!/usr/bin/env python3
"""Fails when CMakeLists.txt and meson.build list different sources.

Both builds name every source file explicitly (no globs, so a forgotten file
is a build error, not a silent omission). This check keeps the two lists equal
and makes sure every C++ source in the tree is built by both.
"""
import pathlib
import re
import sys

SOURCE = re.compile(r"[\w./-]+\.cpp")
DIRS = ("basics", "harness", "benches", "reports", "cli", "tests", "fuzz")


def listed(path: pathlib.Path) -> set[str]:
    text = "\n".join(line.split("#", 1)[0] for line in path.read_text().splitlines())
    return set(SOURCE.findall(text))


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve()
    cmake = listed(root / "CMakeLists.txt")
    meson = listed(root / "meson.build")
    on_disk = {str(p.relative_to(root)) for d in DIRS for p in (root / d).rglob("*.cpp")}
    problems = []
    for name in sorted(cmake - meson):
        problems.append(f"{name}: in CMakeLists.txt but not in meson.build")
    for name in sorted(meson - cmake):
        problems.append(f"{name}: in meson.build but not in CMakeLists.txt")
    for name in sorted(on_disk - (cmake | meson)):
        problems.append(f"{name}: in the tree but built by neither build")
    for name in sorted((cmake | meson) - on_disk):
        problems.append(f"{name}: listed but missing from the tree")
    for p in problems:
        print(f"check_source_lists: {p}", file=sys.stderr)
    print(f"check_source_lists: {len(cmake)} sources in CMake, {len(meson)} in Meson, "
          f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
