"""The condition a rule is written under ("Patients with measurable disease must ...", "Patients
who received breast radiotherapy must ...", "Patients without measurable disease must have
evaluable disease"): read as a small criterion of its own, so that a patient who clearly does not
meet the condition is told the rule does not apply instead of being asked about it.

Only conditions of kinds whose judges read a profile fact directly are read here; a tumor
condition is the scope's (scope.py), a sex or age group the group's (groups.py), and anything
else stays the softening guard's ("conditional" in judges._own_guard).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from matcher.domain.eligibility import projection
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    Aspect,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.classifier import classify
from matcher.domain.eligibility.scope import terms as requirement_terms
from matcher.domain.eligibility.text import norm

# what a patient "with/who ..." clause may say; the condition ends at a comma, colon or the verb
_CLAUSE = re.compile(
    r"^(?:for |in |if )?(?:all )?(?:patients|subjects|participants|those|children) "
    r"(?P<how>with|without|who have|who had|who do not have|who received|who have received|"
    r"who are receiving|receiving|who underwent|who have undergone)\s+"
    # only a main clause with its own modal verb follows a condition ("Patients with measurable
    # disease, as defined by RECIST" is the rule itself; so is "... are excluded")
    r"(?P<what>[^,:;]{3,90}?)\s*\b(?:must|should|will|may|need|needs|are required|is required|"
    r"can)\b(?! (?:not )?be (?:excluded|ineligible|eligible|enrolled|included))"
)
_NEGATIVE = frozenset({"without", "who do not have"})
# kinds whose judges decide a requirement "must have X" from a profile fact (the viral, steroid
# and other-malignancy judges read their rules as exclusions, so they cannot say whether a
# patient has the condition)
READABLE = frozenset(
    {
        "measurable_disease",
        "cns_metastases",
        "metastatic_disease",
        "disease_site",
        "prior_therapy_required",
        "radiation",
        "transplant",
        "amputation",
        "biomarker",
    }
)


def clause(norm_text: str) -> tuple[str, bool] | None:
    """(the condition as a positive requirement, negated) of a rule that opens with one: "with
    measurable disease" for "Patients with measurable disease must ...", ("measurable disease",
    True) for "Patients without measurable disease must ..."; None when it opens with none."""
    found = _CLAUSE.match(norm_text)
    if found is None:
        return None
    how, what = found.group("how"), found.group("what")
    return _positive(how, what), how in _NEGATIVE


def _positive(how: str, what: str) -> str:
    """The condition as a requirement: "must have received X" for "who received X"."""
    verb = "received" if "receiv" in how else "underwent" if "underw" in how else "have"
    positive = f"must have {what}" if verb == "have" else f"must have {verb} {what}"
    return re.sub(r"\s+", " ", positive).strip()


# a heading over the conditions of a permission: "Prior MEK inhibitor: patients who received a
# MEK inhibitor for plexiform neurofibroma ... are eligible provided all of the following apply:"
_PERMISSION_HEADING = re.compile(
    r"^(?:[^:;.]{0,40}:\s*)?(?:patients|subjects|participants|those|children) "
    r"(?P<how>with|who have|who had|who received|who have received|who underwent|"
    r"who have undergone)\s+(?P<what>[^:;]{3,240}?)\s*\b(?:are|is|will be|may be) "
    r"(?:also )?(?:eligible|allowed|permitted|enrolled)\b[^:;]{0,20}\b(?:provided|if|only if|"
    r"as long as)\b[^:;]*:\s*$"
)


def heading_clause(norm_heading: str) -> tuple[str, bool] | None:
    """The condition a permission heading puts its items under, as a positive requirement
    ("must have received a mek inhibitor ..."): its items are rules for those patients only."""
    found = _PERMISSION_HEADING.match(norm_heading)
    if found is None:
        return None
    how, what = found.group("how"), found.group("what")
    if "receiv" in how or "underw" in how:
        # "who received a MEK inhibitor for plexiform neurofibroma": the treatment is the
        # condition; what it was given for is the permission's detail
        what = re.split(r"\s+(?:for|as treatment for|given for)\s+", what, maxsplit=1)[0]
    return _positive(how, what), False


def criterion(
    norm_text: str, registry: Mapping[str, Any], heading: str | None = None
) -> tuple[Criterion, bool] | None:
    """The rule's condition as an inclusion criterion (its aspects prepared by the judges'
    `registry`), and whether the rule is for patients *without* it; None when the rule opens
    with no condition the judges can read. `heading` (normalised) is the item's parent: a
    permission heading's condition is its items' when they open with none of their own."""
    found = clause(norm_text)
    if found is None and heading is not None:
        found = heading_clause(heading)
    if found is None:
        return None
    text, negated = found
    n_cond = norm(text)
    kinds = classify(n_cond, "", "inclusion")
    if not set(kinds) <= READABLE:
        return None
    aspects = tuple(Aspect(k, registry[k].prep(text, n_cond, "inclusion")) for k in kinds)
    reads = projection.reads_of(aspects, False, (), set(registry))
    terms = requirement_terms(n_cond)
    return Criterion("inclusion", text, n_cond, aspects, terms=terms, reads=reads), negated


def outside(
    crit: Criterion, facts: Facts, judge: Callable[[Criterion, Facts], Any]
) -> Judgement | None:
    """ "Not applicable" when the patient clearly fails the condition the rule is written under
    ("Patients with measurable disease must ...": no measurable disease), or clearly has what a
    rule for patients without it is about; None when the condition holds or is open. `judge` is
    judges.judge_criterion (a Judged: its judgement and the guard that changed it, if any)."""
    cond = crit.condition
    if cond is None:
        return None
    judged = judge(cond, facts)
    j: Judgement = judged.judgement
    clear = judged.guard is None and j.verdict in (MET, NOT_MET)
    if not clear or (j.verdict == MET) != crit.condition_negated:
        return None
    what = cond.text.removeprefix("must have ")
    wants = "without" if crit.condition_negated else "with"
    whom = f"who {what}" if what.startswith(("received ", "underwent ")) else f"{wants} {what}"
    why = f"rule for patients {whom}; {j.reason}"
    return Judgement(NOT_APPLICABLE, why, rule="condition")
