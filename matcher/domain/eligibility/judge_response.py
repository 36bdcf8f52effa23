"""Reading of a rule about the response to prior therapy ("refractory to", "progressed on",
"best response of progressive disease", "unresponsive to the last line") from the best response
the board gives each line (`PriorTherapy.best_response`, RECIST words).

Called (`combine`) by judge_therapy.judge_prior_required and judge_setting.judge_disease_setting,
the kinds such criteria are classified into. The cue words are the
`response_*` lists of data/cues.json. Unknown (None: the caller's own reading stands) when no
relevant therapy has a best response; not_met only when every relevant therapy has one, each
clearly fails the rule, and the rule offers no other course ("relapsed or refractory").
"""

from __future__ import annotations

import re
from functools import lru_cache

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Judgement, Therapy

_LAST_LINE = re.compile(r"\b(?:last|most recent|latest) (?:line|regimen)\b")
_WORDS = {
    "complete_response": "complete response",
    "partial_response": "partial response",
    "stable_disease": "stable disease",
    "progressive_disease": "progressive disease",
}
# which best responses fulfil each kind of rule (mode -> responses)
_FULFILS = {
    "refractory": frozenset({"stable_disease", "progressive_disease"}),
    "progressive": frozenset({"progressive_disease"}),
    "progression_on": frozenset({"progressive_disease"}),
}
# modes where another response clearly fails the rule (progression "on" a line may come after a
# first response, so it never fails)
_CAN_FAIL = frozenset({"refractory", "progressive"})

Spec = tuple[str, bool, bool] | None  # (mode, about the last line, another course accepted)


def prep_response(norm: str) -> Spec:
    """The rule's mode, whether it is about the last line, and whether it accepts another course;
    None when the text names no response to prior therapy."""
    if cues.search("response_progressive", norm):
        mode = "progressive"
    elif cues.search("response_refractory", norm):
        mode = "refractory"
    elif cues.search("response_progression_on", norm):
        mode = "progression_on"
    else:
        return None
    last = bool(_LAST_LINE.search(norm))
    return mode, last, bool(cues.search("response_alternative", norm))


def judge_response(spec: Spec, relevant: list[Therapy], crit: Criterion) -> Judgement | None:
    """The verdict the best responses of `relevant` (the listed therapies the rule names; every
    systemic one when it names none) give, or None when none of them has a best response."""
    if spec is None:
        return None
    mode, last, alternative = spec
    pool = _last_line(relevant) if last else relevant
    rated = [t for t in pool if t.best_response is not None]
    if not rated:
        return None
    verify = f"best response to prior therapy: {crit.text[:90]}"
    fits = [t for t in rated if t.best_response in _FULFILS[mode]]
    if fits:
        return Judgement(MET, f"best response {_said(fits[0])}", rule="best_response")
    said = "; ".join(_said(t) for t in rated)
    if mode in _CAN_FAIL and len(rated) == len(pool) and not alternative:
        return Judgement(
            NOT_MET, f"best response {said}; the rule asks for {_asked(mode)}", rule="best_response"
        )
    return Judgement(
        UNKNOWN, f"best response {said}; the rule asks for {_asked(mode)}", verify,
        rule="best_response",
    )  # fmt: skip


def _last_line(pool: list[Therapy]) -> list[Therapy]:
    """The therapies of the highest numbered line when every one is numbered, else of the latest
    end date when every one has it; none when the last line cannot be told (one therapy alone
    is the last line)."""
    if len(pool) <= 1:
        return pool
    if all(t.line is not None for t in pool):
        top = max(t.line or 0 for t in pool)
        return [t for t in pool if t.line == top]
    if all(t.ended_on is not None for t in pool):
        latest = max(t.ended_on for t in pool if t.ended_on is not None)
        return [t for t in pool if t.ended_on == latest]
    return []


def _said(t: Therapy) -> str:
    what = t.agent or t.category or "therapy"
    line = f" (line {t.line})" if t.line is not None else ""
    return f"to {what}{line}: {_WORDS.get(t.best_response or '', t.best_response)}"


def _asked(mode: str) -> str:
    return {
        "refractory": "no response (stable or progressive disease)",
        "progressive": "a best response of progressive disease",
        "progression_on": "progression on that therapy",
    }[mode]


def combine(spec: Spec, base: Judgement, named: list[Therapy], crit: Criterion) -> Judgement:
    """The calling judge's own verdict `base` with the response reading over `named`: a clear
    failure decides; a met needs both; without a best response `base` stands, except that a rule
    about the last line is not met by the history alone."""
    if spec is None or base.verdict == NOT_MET:
        return base
    read = judge_response(spec, named, crit)
    if read is None:
        return last_line_unread(base, crit)
    if read.verdict != MET:
        if base.verdict == MET and spec[2] and not spec[1]:
            # "Disease that has recurred or not responded despite prior therapy": the caller
            # established the other course the rule accepts (a recurrence), which suffices; a
            # course tied to the last line ("progression following the last line") is not
            # established by the disease course alone
            return base._replace(reason=f"{base.reason} (the rule accepts it as another course)")
        return read
    return read._replace(reason=f"{base.reason}; {read.reason}") if base.verdict == MET else base


def last_line_unread(base: Judgement, crit: Criterion) -> Judgement:
    """A met from a judge that read no best response, for a rule naming the response to the last
    line (the cues.json requirement term "last_line", which the calling kinds establish only
    here): unknown, as the completeness guard said before best_response existed."""
    if base.verdict == MET and _names_last_line(crit.norm):
        why = f"{base.reason}; best response to the last line not given"
        return Judgement(UNKNOWN, why, f"best response to the last line: {crit.text[:90]}")
    return base


@lru_cache(maxsize=65536)  # text-only; asked on every met of the calling judges
def _names_last_line(norm: str) -> bool:
    return any(term.id == "last_line" and term.search(norm) for term in cues.terms())
