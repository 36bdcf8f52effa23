"""Judge for performance status: Lansky, Karnofsky and ECOG thresholds, per age group when the
text gives one scale per age ("(A) Subjects ≥16: ECOG 0 or 1 (B) Subjects 2 to 16: Lansky ≥ 80")."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import vocabulary
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement
from matcher.domain.eligibility.judge_person import RANGE, SEGMENT, age_ok, months_per
from matcher.domain.eligibility.numbers import COMPARISON, comparisons, fold_ops, holds, to_float
from matcher.domain.eligibility.text import norm

_SCALE = re.compile(r"\b(lansky|karnofsky|kps|lps|ecog|zubrod|who|performance (?:status|score))\b")
_PERF_RANGE = re.compile(r"(?<![\d.])(\d{1,3})\s*%?\s*(?:-|–|to)\s*(\d{1,3})\s*%?")
_PERF_LIST = re.compile(
    r"(?<![\d.])([0-4])(?:\s*,\s*[0-4])*\s*(?:,\s*)?(?:or|and)\s*([0-4])(?!\d|\.\d)"
)
_ECOG_TO_KL = {0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20), 5: (0, 0)}


_KL_TO_ECOG_RANGE = {80: (0, 1), 70: (1, 2), 50: (2, 3)}


def _kl_to_ecog(score: int) -> int:
    return next(e for e, (lo, _hi) in _ECOG_TO_KL.items() if score >= lo)


# "(age 1 to 16)", "for patients > 16 years of age": the age that picks the scale, not a score
_AGE_PHRASE = re.compile(
    r"\([^()]*\b(?:age|years?|yrs)\b[^()]*\)|"
    r"(?:for |in )?(?:patients |subjects |children |participants )?(?:aged? )?(?:>="
    r"|<=|>|<)?\s*\d+\s*(?:-|to)?\s*\d*\s*(?:years?|yrs)(?: of age| old)?"
)


def prep_performance(crit_text: str, norm: str, section: str) -> Any:
    """[(scale, op, value)] with scale "ecog" or "kl" (Karnofsky/Lansky, 0-100), or
    ("by_age", [(age bounds, reqs)]) for "(A) Subjects ≥16: ECOG 0 or 1 (B) Subjects 2 to 16:
    Lansky score ≥ 80"."""
    pieces = SEGMENT.split(crit_text)
    if len(pieces) >= 5:
        segments = []
        for seg in pieces[2::2]:
            head, _, body = seg.partition(":")
            bounds = _head_ages(head)
            segments.append((bounds, _perf_reqs(body)))
        if all(b and r for b, r in segments):
            return ("by_age", tuple(segments))
    return _perf_reqs(crit_text)


def _head_ages(head: str) -> tuple[tuple[str, float, float], ...]:
    """Age bounds in a segment heading ("Subjects 2 to 16", "Subjects ≥16"), in years."""
    folded = fold_ops(head)
    ranged = RANGE.search(folded)
    if ranged is not None:
        per = months_per(ranged.group(3), 12.0)
        return ((">=", float(ranged.group(1)), per), ("<=", float(ranged.group(2)), per))
    return tuple((b.op, b.value, 12.0) for b in comparisons(folded))


def _perf_reqs(crit_text: str) -> tuple[tuple[str, str, float, tuple[str, ...]], ...]:
    folded = _AGE_PHRASE.sub(" ", fold_ops(crit_text))
    reqs: list[tuple[str, str, float, tuple[str, ...]]] = []
    for m in _SCALE.finditer(folded):
        window = folded[m.end() : m.end() + 70]
        cut = _SCALE.search(window)
        window = window[: cut.start()] if cut else window
        found: tuple[str, float] | None = None
        if (r := _PERF_RANGE.search(window)) is not None:
            lo, hi = float(r.group(1)), float(r.group(2))
            found = (">=", lo) if hi > 5 else ("<=", hi)
        elif (lst := _PERF_LIST.search(window)) is not None:
            found = ("<=", float(lst.group(2)))
        elif (c := COMPARISON.search(window)) is not None:
            found = (c.group(1), to_float(c.group(2)))
        if found is None:
            continue
        # a value on the wrong range belongs to the other scale ("> 70% on the Karnofsky scale
        # or < 2 on the ECOG scale": the "< 2" follows the word Karnofsky)
        scale = "ecog" if found[1] <= 5 else "kl"
        reqs.append((scale, found[0], found[1], _tumor_scope(window)))
    return tuple(dict.fromkeys(reqs))


def _tumor_scope(window: str) -> tuple[str, ...]:
    """Tumors a scale is written for: "ECOG 0 or 1 (solid tumors) or KPS >= 70 (rHGG)" gives
    the KPS alternative to high-grade glioma only; () when the scale is for everyone."""
    bracket = re.search(r"\(([^()]{2,40})\)", window)
    return tuple(vocabulary.find_concepts(norm(bracket.group(1)))) if bracket else ()


def judge_performance(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    if facts.perf_scale is None or facts.perf_score is None:
        return Judgement(
            UNKNOWN, "performance status not given", "performance status (Lansky/Karnofsky/ECOG)"
        )
    if spec and spec[0] == "by_age":
        # "≥ 16 years" and "2 to 16 years" overlap at 16: pick the segments the age fits
        mine = [
            reqs for bounds, reqs in spec[1]
            if all(age_ok(facts.age_months, op, v, per) for op, v, per in bounds)
        ]  # fmt: skip
        if not mine:
            return Judgement(UNKNOWN, "threshold depends on the age group", "performance status")
        # the age fits one segment, or two that meet at a boundary ("≥ 16" and "2 to 16" at 16):
        # decided when every segment it fits gives the same answer
        judged = [judge_performance(reqs, crit, facts) for reqs in mine]
        if len({j.verdict for j in judged}) == 1:
            return judged[0]._replace(scoped=True)
        return Judgement(UNKNOWN, "threshold depends on the age group", "performance status")
    if not spec:
        return Judgement(
            UNKNOWN, "performance threshold not read", "performance status as required"
        )
    have = f"{facts.perf_scale.capitalize()} {facts.perf_score}"
    # an alternative written for another tumor ("KPS >= 70 (rHGG)") is not this patient's
    mine = [r for r in spec if not r[3] or any(c in facts.concept_ids for c in r[3])] or spec
    outcomes: list[bool | None] = []
    for scale, op, value, _scope in mine:
        outcomes.append(_perf_outcome(facts.perf_scale, facts.perf_score, scale, op, value))
    wanted = " or ".join(
        f"{'ECOG' if s == 'ecog' else 'Lansky/Karnofsky'} {op} {v:g}" for s, op, v, _t in mine
    )
    # alternatives ("Karnofsky > 70% or ECOG < 2"; Lansky for ≤ 16 y, Karnofsky above): one suffices
    if any(o is True for o in outcomes):
        return Judgement(MET, f"{have} satisfies {wanted}")
    if outcomes and all(o is False for o in outcomes):
        return Judgement(NOT_MET, f"{have} does not reach {wanted}")
    return Judgement(
        UNKNOWN,
        f"{have} cannot be converted with certainty to {wanted}",
        f"performance status {wanted}",
    )


def _perf_outcome(have_scale: str, score: int, scale: str, op: str, value: float) -> bool | None:
    if have_scale in {"lansky", "karnofsky"} and scale == "kl":
        return holds(score, op, value)  # Lansky and Karnofsky are designed to read alike
    if have_scale == "ecog" and scale == "ecog":
        return holds(score, op, value)
    if have_scale == "ecog" and scale == "kl":
        lo, hi = _ECOG_TO_KL[score]
        ok_lo, ok_hi = holds(lo, op, value), holds(hi, op, value)
        return ok_lo if ok_lo == ok_hi else None  # the converted range straddles the threshold
    # K/L -> ECOG: published tables disagree at 70-80 and 50 (Karnofsky 70 is ECOG 1 in some,
    # 2 in others): a threshold the range straddles is unknown
    lo, hi = _KL_TO_ECOG_RANGE.get(int(score // 10 * 10), (_kl_to_ecog(score),) * 2)
    ok_lo, ok_hi = holds(lo, op, value), holds(hi, op, value)
    return ok_lo if ok_lo == ok_hi else None
