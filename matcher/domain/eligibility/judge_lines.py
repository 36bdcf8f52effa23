"""Judge for a cap on prior lines of systemic therapy ("No more than 2 prior lines of systemic
therapy"), counted conservatively from the profile's treatment list.

The profile lists agents, not lines: agents that ended within a month of each other are read as
one line (a lower bound on the count), each agent as its own line an upper bound. Met when even
the upper bound fits the cap; never not_met (one line's agents may end months apart, and
(neo)adjuvant therapy is often not counted): a lower bound above the cap is unknown, saying so.

Where the board numbers the lines (`PriorTherapy.line`), the distinct numbers are the count (an
unnumbered agent may be a line of its own, so it adds to the upper bound only): more lines than
the cap is not_met, unless the rule leaves some therapy uncounted or counts the lines of one
setting only ("for advanced or metastatic disease"), which the profile does not record.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement

_NUMBER = r"(\d|one|two|three|four|five)"
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_LINES = r"\s*(?:prior |previous )?(?:lines?|regimens?)\b"
_AT_MOST = re.compile(
    r"\b(?:no more than|not more than|(?:a )?maximum(?: of)?|at most|at maximum|up to|<=|≤)\s*"
    + _NUMBER
    + _LINES
)
_FEWER = re.compile(r"(?:\bfewer than|\bless than|<)\s*" + _NUMBER + _LINES)
_MORE = re.compile(r"(?:\bmore than|>)\s*" + _NUMBER + _LINES)
_AT_LEAST = re.compile(r"(?:\bat least|>=|≥)\s*" + _NUMBER + _LINES)
# "at least one but no more than two lines": the minimum may stand apart from the word "lines"
_MINIMUM = re.compile(
    r"(?:\bat least|\b(?:a )?minimum of|\bno fewer than|\bno less than|>=|≥)\s*"
    + _NUMBER
    + r"\b[^.;]{0,40}?"
    + _LINES
)
_SPAN = re.compile(r"\b" + _NUMBER + r" (?:or|to|-) " + _NUMBER + _LINES)
CUE = re.compile(
    r"\b(?:no more than|not more than|maximum(?: of)?|at most|at maximum|up to|fewer than|less than"
    r"|more than|at least|minimum of)\s*"
    + _NUMBER
    + _LINES
    + r"|[<>≤≥]=?\s*"
    + _NUMBER
    + _LINES
    + r"|"
    + _SPAN.pattern  # "one or two lines"
)
_SYSTEMIC = frozenset({"chemotherapy", "targeted", "immunotherapy"})
_ONE_LINE_DAYS = 31


def _n(word: str) -> int:
    return int(word) if word.isdigit() else _WORDS[word]


def prep_lines(crit_text: str, norm: str, section: str) -> Any:
    """The most lines allowed (None when not read) and whether some therapy is not counted."""
    cap: int | None = None
    if section == "inclusion":
        if (m := _AT_MOST.search(norm)) is not None:
            cap = _n(m.group(1))
        elif (m := _FEWER.search(norm)) is not None:
            cap = _n(m.group(1)) - 1
    else:
        if (m := _MORE.search(norm)) is not None:
            cap = _n(m.group(1))
        elif (m := _AT_LEAST.search(norm)) is not None:
            cap = _n(m.group(1)) - 1
    uncounted = bool(
        re.search(r"\b(?:neo ?)?adjuvant\b|\bnot (?:be )?(?:counted|considered)", norm)
    )
    scoped = bool(_SETTING.search(norm))
    # "at least one but no more than two lines": the minimum is a requirement of its own
    least = _MINIMUM.search(norm) if section == "inclusion" else None
    minimum = _n(least.group(1)) if least is not None else None
    span = _SPAN.search(norm) if section == "inclusion" and cap is None else None
    if span is not None:
        # "one or two lines", "1 to 2 prior regimens": a minimum and a cap
        minimum, cap = _n(span.group(1)), _n(span.group(2))
    return cap, uncounted, scoped, minimum


# "lines ... for advanced or metastatic disease": the profile does not say which line was given
# in which setting, so a count above the cap cannot exclude
_SETTING = re.compile(
    r"\b(?:for|in the) (?:the )?(?:locally )?(?:advanced|metastatic|unresectable|recurrent"
    r"|relapsed)\b"
)


def judge_lines(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    cap, uncounted, scoped, minimum = spec
    if cap is None and minimum is None:
        return Judgement(UNKNOWN, "line limit not read", f"number of prior lines: {crit.text[:90]}")
    if not facts.therapies:
        return Judgement(UNKNOWN, "prior therapies not given", "number of prior lines of therapy")
    systemic = [t for t in facts.therapies if t.category in _SYSTEMIC]
    if minimum is not None and scoped:
        # "at least one ... line for metastatic disease": which line was given in which setting
        # is not recorded, so the minimum is not established (nor refuted)
        return Judgement(
            UNKNOWN,
            f"at least {minimum} line(s) in the setting the rule names: not recorded",
            f"prior lines of systemic therapy for the setting named: {crit.text[:80]}",
            rule="setting",
        )
    if minimum is not None:
        # "at least one prior line": established by the lines the profile lists (a lower bound);
        # fewer listed is open, never not_met (a line may be unlisted)
        listed = _lower_bound(systemic)
        if listed < minimum:
            return Judgement(
                UNKNOWN,
                f"{listed} line(s) of systemic therapy listed; the rule asks for at least "
                f"{minimum}",
                f"at least {minimum} prior line(s) of systemic therapy",
                rule="minimum",
            )
        if cap is None:
            return Judgement(
                MET, f"{listed} line(s) of systemic therapy listed; at least {minimum} asked"
            )
    assert cap is not None
    if any(t.line is not None for t in systemic):
        return _numbered(cap, uncounted or scoped, systemic)
    upper = len(systemic)
    if upper <= cap:
        return Judgement(MET, f"at most {upper} prior systemic line(s) listed; limit {cap}")
    lower = _lower_bound(systemic)
    if lower > cap and not uncounted:
        why = f"profile lists {lower} separate lines of systemic therapy (by end date); limit {cap}"
    else:
        why = f"{upper} systemic agents listed ({lower}+ lines); limit {cap} lines"
    return Judgement(UNKNOWN, why, f"number of prior lines of systemic therapy (limit {cap})")


def _numbered(cap: int, uncertain: bool, systemic: list[Any]) -> Judgement:
    """The count from the board's line numbers; unnumbered agents widen the upper bound."""
    lines = {t.line for t in systemic if t.line is not None}
    loose = sum(1 for t in systemic if t.line is None)
    lower, upper = len(lines), len(lines) + loose
    given = f"profile numbers {lower} line(s) of systemic therapy"
    if loose:
        given += f" (+{loose} unnumbered agent(s))"
    if upper <= cap:
        return Judgement(MET, f"{given}; limit {cap}", rule="numbered")
    verify = f"number of prior lines of systemic therapy (limit {cap})"
    if lower > cap and not uncertain:
        return Judgement(NOT_MET, f"{given}; limit {cap}", rule="numbered")
    if lower > cap:
        why = f"{given}; limit {cap}, but the rule counts some lines only (setting or adjuvant)"
        return Judgement(UNKNOWN, why, verify, rule="numbered")
    return Judgement(UNKNOWN, f"{given}; limit {cap}", verify, rule="numbered")


def _lower_bound(systemic: list[Any]) -> int:
    """Lines of systemic therapy the list surely holds: the board's distinct line numbers, else
    agents whose end dates lie more than a month apart (one line's agents end together)."""
    numbered = {t.line for t in systemic if t.line is not None}
    if numbered:
        return len(numbered)
    lower, previous = 0, None
    for end in sorted(t.ended_on for t in systemic if t.ended_on is not None):
        if previous is None or (end - previous).days > _ONE_LINE_DAYS:
            lower += 1
        previous = end
    return lower
