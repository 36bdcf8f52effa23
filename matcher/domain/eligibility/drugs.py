"""Anticancer drug classes (data/drugs.json): which agents a criterion's words cover.

"No prior treatment with pazopanib or other VEGFR inhibitor" must exclude a child who had
cabozantinib; that knowledge is data a clinician can review, not code.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from matcher.domain.eligibility.text import norm, phrase_regex


@dataclass(frozen=True, slots=True)
class DrugIndex:
    class_category: dict[str, str]  # class id -> TherapyCategory value
    half_life_days: dict[str, float]  # class id -> upper bound on its members' half-life
    agent_classes: dict[str, frozenset[str]]  # normalised agent -> class ids
    phrase_classes: dict[str, frozenset[str]]  # normalised class name or agent -> class ids
    phrase_is_agent: frozenset[str]
    pattern: re.Pattern[str]


@cache
def index() -> DrugIndex:
    raw = json.loads(
        resources.files("matcher.domain.eligibility").joinpath("data/drugs.json").read_text()
    )
    category: dict[str, str] = {}
    half_life: dict[str, float] = {}
    agents: dict[str, set[str]] = {}
    phrases: dict[str, set[str]] = {}
    for item in raw["classes"]:
        category[item["id"]] = item["category"]
        if "half_life_days_max" in item:
            half_life[item["id"]] = float(item["half_life_days_max"])
        for member in item["members"]:
            agents.setdefault(norm(member), set()).add(item["id"])
            phrases.setdefault(norm(member), set()).add(item["id"])
        for name in item["names"]:
            phrases.setdefault(norm(name), set()).add(item["id"])
    return DrugIndex(
        class_category=category,
        half_life_days=half_life,
        agent_classes={k: frozenset(v) for k, v in agents.items()},
        phrase_classes={k: frozenset(v) for k, v in phrases.items()},
        phrase_is_agent=frozenset(agents),
        pattern=phrase_regex(phrases),
    )


@dataclass(frozen=True, slots=True)
class DrugMention:
    phrase: str  # as normalised in the text
    classes: frozenset[str]
    is_agent: bool  # a named agent ("pazopanib") rather than a class ("VEGFR inhibitor")
    start: int  # offset in the normalised text, to tell what lies after "except"


def mentions(normalised_text: str) -> list[DrugMention]:
    """Drug agents and classes named in already-normalised text."""
    idx = index()
    out: list[DrugMention] = []
    for m in idx.pattern.finditer(normalised_text):
        phrase = m.group(0)
        key = phrase if phrase in idx.phrase_classes else phrase.rstrip("s")
        classes = idx.phrase_classes.get(key)
        if classes:
            out.append(DrugMention(key, classes, key in idx.phrase_is_agent, m.start()))
    return out


def classes_of_agent(agent: str) -> frozenset[str]:
    """Class ids of a profile's agent; unknown agents have none (matched by name only)."""
    idx = index()
    key = norm(agent)
    if key in idx.agent_classes:
        return idx.agent_classes[key]
    found: set[str] = set()
    for m in idx.pattern.finditer(key):
        phrase = m.group(0)
        if phrase in idx.phrase_is_agent:
            found |= idx.agent_classes[phrase]
    return frozenset(found)


def category_of_class(class_id: str) -> str:
    return index().class_category[class_id]


def longest_half_life(classes: frozenset[str]) -> float | None:
    """Days: the longest half-life bound over an agent's classes; None when one is not given."""
    known = index().half_life_days
    if not classes or any(c not in known for c in classes):
        return None
    return max(known[c] for c in classes)
