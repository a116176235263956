"""The pairing table (scripts/python/pairing.json): the native benchmark
each Python benchmark stands beside."""
from __future__ import annotations

import json
import os
import re

from . import naming

TABLE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pairing.json")


def load(path: str = TABLE) -> list:
    with open(path) as f:
        return json.load(f)["rules"]


def matching_rules(name: str, rules: list) -> list:
    return [r for r in rules if naming.pattern_regex(r["python"]).match(name)]


def native_for(name: str, rules: list):
    """(rule, the native name or name pattern) for a Python benchmark name.

    The native side keeps a '*' where it has a parameter Python lacks; it is
    None when there is no native counterpart. LookupError when no rule or
    more than one matches."""
    found = matching_rules(name, rules)
    if len(found) != 1:
        raise LookupError("%s matches %d pairing rules, not exactly 1" % (name, len(found)))
    rule = found[0]
    if rule["native"] is None:
        return rule, None
    values = naming.pattern_regex(rule["python"]).match(name).groupdict()
    return rule, naming.fill(rule["native"], values)


def undecorated(native_run_name: str, path: str = TABLE) -> str:
    """A native run name without Google Benchmark's trailing decorations
    (/min_time:0.050, /real_time, ...): the name as registered."""
    with open(path) as f:
        pattern = json.load(f)["native_decorations"]
    return re.sub(pattern, "", native_run_name)
