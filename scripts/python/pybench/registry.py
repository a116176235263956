"""Benchmark groups: what one `--bench GROUP` runs, and how names map to runs.

A group lists its variants for the options given (one variant = one
benchmark name) and measures one repetition of a variant. A full name is
resolved by listing the group's variants for the options the name itself
spells (mode, placement, size, workers, start method), so --list and --bench
NAME can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import naming
from .options import MODES, Options, UsageError


@dataclass
class Variant:
    group: "Group"
    name: str
    params: dict = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return self.params["mode"]

    @property
    def placement(self) -> str:
        return self.params.get("placement", "")


class Group:
    """Subclasses set id, family, summary, patterns and implement variants() and measure()."""

    id = ""
    family = ""
    summary = ""
    patterns = ()

    def variants(self, opts: Options) -> list:
        raise NotImplementedError

    def measure(self, variant: Variant, opts: Options):
        """One repetition: a results.Measurement, or an exception (an error entry)."""
        raise NotImplementedError

    def variant(self, pattern: str, **params) -> Variant:
        return Variant(self, naming.fill(pattern, params), params)


# Placeholders whose value in a name is also an option.
_OPTION_OF = {"mode": "mode", "placement": "placement", "size": "size", "workers": "workers", "method": "start_method"}
_INTEGER = {"size", "workers"}


def resolve(name: str, groups: list, opts: Options) -> Variant:
    """The variant a full benchmark name stands for, or UsageError."""
    for group in groups:
        for pattern in group.patterns:
            m = naming.pattern_regex(pattern).match(name)
            if not m:
                continue
            changes = {}
            for key, value in m.groupdict().items():
                if key not in _OPTION_OF:
                    continue
                if key in _INTEGER:
                    if not value.isdigit() or int(value) < 1:
                        break
                    value = int(value)
                if key == "mode" and value not in MODES:
                    break
                changes[_OPTION_OF[key]] = value
            else:
                for v in group.variants(opts.overridden(**changes)):
                    if v.name == name:
                        return v
    raise UsageError("no benchmark is named %r (see --list)" % name)


def select(selectors: list, groups: list, opts: Options) -> list:
    """The variants of the selectors (group ids or names), in order, without repeats."""
    by_id = {g.id: g for g in groups}
    chosen, seen = [], set()
    for s in selectors or [g.id for g in groups]:
        found = by_id[s].variants(opts) if s in by_id else [resolve(s, groups, opts)]
        for v in found:
            if v.name not in seen:
                seen.add(v.name)
                chosen.append(v)
    return chosen
