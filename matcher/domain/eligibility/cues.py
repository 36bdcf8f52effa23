"""The text cues the engine reads (data/cues.json), loaded and compiled once.

One loader for every named cue list (negspacy termset style: a name, a direction, patterns), the
shared gene list, and the requirement terms that decide whether a criterion was read completely.
Modules ask for a compiled list by name instead of keeping their own variant of it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache, partial
from importlib import resources
from typing import Any


@dataclass(frozen=True, slots=True)
class Term:
    """A requirement-bearing term: a criterion naming it is met only once a judge read it."""

    id: str
    label: str
    pattern: re.Pattern[str]
    read_by: frozenset[str]
    triggers: tuple[str, ...] = ()  # substrings every match contains (empty: always search)

    def search(self, text: str) -> bool:
        if self.triggers and not any(t in text for t in self.triggers):
            return False
        return self.pattern.search(text) is not None


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("matcher.domain.eligibility").joinpath("data/cues.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def cue(name: str) -> re.Pattern[str]:
    """The named cue list as one compiled alternation (KeyError for an unknown name)."""
    return re.compile("|".join(f"(?:{p})" for p in _raw()["lists"][name]["patterns"]))


@cache
def triggers(name: str) -> tuple[str, ...]:
    """Substrings every match of the named list contains (empty: none declared)."""
    return tuple(_raw()["lists"][name].get("triggers", ()))


def search(name: str, text: str) -> re.Match[str] | None:
    """The named list's first match in `text`, after the cheap substring gate of its triggers."""
    gate = triggers(name)
    if gate and not any(t in text for t in gate):
        return None
    return cue(name).search(text)


@cache
def direction(name: str) -> str:
    return str(_raw()["lists"][name]["direction"])


@cache
def gene_alternation() -> str:
    """The gene/antigen alternation (no groups), for patterns that embed it."""
    return "|".join(f"(?:{p})" for p in _raw()["genes"]["patterns"])


@cache
def gene_triggers() -> tuple[str, ...]:
    """A literal stem of every gene pattern ("ntrk\\d?" -> "ntrk", "b7 ?h3" -> "b7"): every gene
    match contains one, so their absence lets a caller skip the gene regex."""
    stems: list[str] = []
    for pattern in _raw()["genes"]["patterns"]:
        literal = re.match(r"[a-z0-9 ]*", pattern)
        stem = literal.group(0) if literal else ""
        if pattern[len(stem) : len(stem) + 1] == "?":
            stem = stem[:-1]  # the last literal character is optional
        stems.append(stem.strip())
    assert all(stems), "every gene pattern starts with a literal"
    return tuple(dict.fromkeys(stems))


@cache
def biomarker_genes() -> re.Pattern[str]:
    """Genes named as a biomarker, one capture group; a gene named as a drug target
    ("anti-PD-L1", "ALK inhibitor", "GD2-directed") is not a biomarker requirement."""
    return re.compile(
        rf"(?<!anti )(?<!anti)\b({gene_alternation()})\b(?! (?:\w+ )?(?:inhibitor|targeted|"
        r"directed|antibod|agonist|therap|blockade|treatment|agent|vaccine|car\b|chimeric))"
    )


@cache
def terms() -> tuple[Term, ...]:
    out: list[Term] = []
    for item in _raw()["requirements"]["terms"]:
        pattern = item["pattern"]
        if pattern == "GENES":
            pattern = biomarker_genes().pattern
        elif pattern == "TIME_WINDOW":
            pattern = cue("time_window_past").pattern
        out.append(
            Term(
                item["id"],
                item["label"],
                re.compile(pattern),
                frozenset(item["read_by"]),
                tuple(item.get("triggers", ())),
            )
        )
    return tuple(out)


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


@cache
def body_sites() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """(site name, pattern) for the body sites criteria name, in data order."""
    sites: dict[str, list[str]] = _raw()["body_sites"]["sites"]
    return tuple((name, _alternation(patterns)) for name, patterns in sites.items())


@lru_cache(maxsize=4096)  # called per listed therapy's site while judging
def sites_named(text: str) -> frozenset[str]:
    """The body sites (data/cues.json "body_sites") a lower-case text names."""
    return frozenset(name for name, pattern in body_sites() if pattern.search(text))


@cache
def treatment_categories() -> tuple[tuple[re.Pattern[str], frozenset[str]], ...]:
    """(pattern, therapy categories it covers) for generic treatment words, in data order."""
    return tuple(
        (_alternation(e["patterns"]), frozenset(e["covers"]))
        for e in _raw()["treatment_categories"]["entries"]
    )


@cache
def _rewrites() -> tuple[tuple[re.Pattern[str], str, str | None], ...]:
    return tuple(
        (
            re.compile(r["pattern"], 0 if r.get("case_sensitive") else re.IGNORECASE),
            r["replacement"],
            r.get("section"),
        )
        for r in _raw()["wording"]["rewrites"]
    )


def _shorthand(table: dict[str, str], flags: int) -> tuple[re.Pattern[str], dict[str, str]]:
    body = "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))
    # whole words: no letter, digit, slash or hyphen on either side ("pts" not "pts2", "RT" not
    # "RT-PCR")
    found = re.compile(rf"(?<![\w/-])(?:{body})(?![\w/-])", flags)
    return found, {k.lower() if flags else k: v for k, v in table.items()}


@cache
def _abbreviations() -> tuple[tuple[re.Pattern[str], dict[str, str], bool], ...]:
    data, spelling = _raw()["wording"]["abbreviations"], _raw()["wording"]["spelling"]["words"]
    return (
        (*_shorthand(data["any_case"], re.IGNORECASE), True),
        (*_shorthand(data["case_sensitive"], 0), False),
        (*_shorthand(spelling, re.IGNORECASE), True),
    )


def without_rationale(norm: str) -> str:
    """The criterion without the reason it gives ("since the risk ... to the fetus", "as this
    would disqualify them from undergoing RT"): a reason asks nothing of the patient, so neither
    its kind nor its requirement terms are read from it."""
    gate = triggers("rationale")
    if not any(t in norm for t in gate):
        return norm
    return cue("rationale").sub(" ", norm)


def _written_out(long: dict[str, str], folded: bool, match: re.Match[str]) -> str:
    return long[match.group(0).lower() if folded else match.group(0)]


@lru_cache(maxsize=65536)  # boilerplate criteria recur across trials
def canonical(text: str, section: str) -> str:
    """The criterion in the words the rules read ("wording" in data/cues.json): clinical
    shorthand written out, then another author's frame for the same requirement rewritten to
    the one the rules know, in data order."""
    for found, long, folded in _abbreviations():
        text = found.sub(partial(_written_out, long, folded), text)
    for pattern, replacement, only in _rewrites():
        if only is None or only == section:
            text = pattern.sub(replacement, text)
    return text


def load() -> None:
    """Compile every list now (at import of the engine), so that a bad pattern fails early."""
    for name in _raw()["lists"]:
        cue(name)
    biomarker_genes()
    terms()
    body_sites()
    treatment_categories()
    _rewrites()
    _abbreviations()
