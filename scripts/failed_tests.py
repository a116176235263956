#!/usr/bin/env python3
"""Prints a short digest of the failed test cases in JUnit XML files.

scripts/test.sh calls it last when a test failed: CI keeps only the tail of a
long log, and the meson test log's tail is the test binary's stderr, not the
failed assertion. This puts each failed case and its assertion at the end.
Reads GoogleTest's XML (meson's gtest protocol) and ctest's --output-junit.
"""
import sys
import xml.etree.ElementTree as ET

MESSAGE_LINES = 8  # of each failure: enough for file:line, expected, actual


def failure_lines(case):
    """The assertion text of a failed case, or None when it passed."""
    failures = case.findall("failure") + case.findall("error")
    status = case.get("status", "")
    if not failures and status != "fail":
        return None
    text = []
    for failure in failures:
        text += (failure.get("message") or failure.text or "").splitlines()
    # ctest's failure message is only "Failed"; the assertion is in the
    # test's output (system-out), from GoogleTest's "Failure" line on.
    out = (case.findtext("system-out") or "").splitlines()
    starts = [i for i, line in enumerate(out) if line.endswith("Failure")]
    if starts:
        text = out[starts[0]:]
    elif status == "fail" and out:
        text = out[-MESSAGE_LINES:]  # died without an assertion: its last words
    return [line for line in text if line.strip()][:MESSAGE_LINES]


def main(paths):
    failed = 0
    for path in paths:
        try:
            root = ET.parse(path).getroot()
        except (OSError, ET.ParseError) as error:
            print(f"{path}: no test results ({error})")
            continue
        for case in root.iter("testcase"):
            lines = failure_lines(case)
            if lines is None:
                continue
            failed += 1
            name, suite = case.get("name", "?"), case.get("classname")
            if suite and suite != name:  # ctest repeats the name as class
                name = f"{suite}.{name}"
            print(f"FAILED {name}  [{path}]")
            for line in lines:
                print(f"    {line}")
    if failed == 0:
        print("no failed test case recorded in " + ", ".join(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
