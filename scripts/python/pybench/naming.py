"""Benchmark names and name patterns.

Names follow the native scheme, prefixed: py/<family>/<what>/<threads|processes>/<placement>[/<param>]
(docs/WRITING_BENCHES.md), with each family's native layout where it has one
(pipe and queue put the primitive in <what>, as benches/message_bench.hpp does).
A pattern is a name with {placeholders}: "{size}" matches one path segment's
text (no '/'). The same syntax is used by pairing.json.
"""
from __future__ import annotations

import re

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def pattern_regex(pattern: str, wildcard: bool = False):
    """A compiled regex matching the names of `pattern` with named groups.

    With wildcard=True a '*' matches any text within one segment (pairing.json's
    native patterns use it for parts Python has no equivalent of)."""
    out, pos = [], 0
    for m in _PLACEHOLDER.finditer(pattern):
        out.append(_literal(pattern[pos:m.start()], wildcard))
        name = m.group(1)
        out.append("(?P=%s)" % name if "(?P<%s>" % name in "".join(out) else "(?P<%s>[^/]+?)" % name)
        pos = m.end()
    out.append(_literal(pattern[pos:], wildcard))
    return re.compile("^" + "".join(out) + "$")


def _literal(text: str, wildcard: bool) -> str:
    if not wildcard:
        return re.escape(text)
    return "[^/]*".join(re.escape(part) for part in text.split("*"))


def placeholders(pattern: str) -> list:
    return _PLACEHOLDER.findall(pattern)


def fill(pattern: str, values: dict) -> str:
    """The pattern with its placeholders replaced (a '*' stays a '*')."""
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), pattern)
