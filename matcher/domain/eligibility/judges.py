"""Kind -> (prep, judge) registry, and how one criterion's aspects combine into one verdict."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Final, NamedTuple

from matcher.domain.eligibility import condition, cues, lab_reading, projection, vocabulary
from matcher.domain.eligibility import judge_biomarker as bio
from matcher.domain.eligibility import judge_body as body
from matcher.domain.eligibility import judge_condition as cond
from matcher.domain.eligibility import judge_disease as d
from matcher.domain.eligibility import judge_history as h
from matcher.domain.eligibility import judge_labs as lab
from matcher.domain.eligibility import judge_lines as lines
from matcher.domain.eligibility import judge_performance as perf
from matcher.domain.eligibility import judge_person as p
from matcher.domain.eligibility import judge_procedures as proc
from matcher.domain.eligibility import judge_setting as setting
from matcher.domain.eligibility import judge_site as site
from matcher.domain.eligibility import judge_therapy as t
from matcher.domain.eligibility import judge_tumor as tumor
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.classifier import classify
from matcher.domain.eligibility.judge_person import age_ok
from matcher.domain.eligibility.scope import terms as requirement_terms
from matcher.domain.eligibility.text import norm

Prep = Callable[[str, str, str], Any]
Judge = Callable[[Any, Criterion, Facts], Judgement]


@dataclass(frozen=True, slots=True)
class Rule:
    """One criterion kind: how its text is read once per trial version (`prep` -> spec), how a
    profile is judged against that spec (`judge`), and which Facts fields the judgement reads
    (`reads`, from the spec: the projection that lets judgements be shared across profiles)."""

    kind: str
    prep: Prep
    judge: Judge
    reads: Callable[[Any], tuple[str, ...]]


def _rule(kind: str, prep: Prep, judge: Judge) -> Rule:
    return Rule(kind, prep, judge, projection.READS[kind])


RULES: Final[tuple[Rule, ...]] = (
    _rule("age", p.prep_age, p.judge_age),
    _rule("performance", perf.prep_performance, perf.judge_performance),
    _rule("sex", body.prep_sex, body.judge_sex),
    _rule("weight", body.prep_weight, body.judge_weight),
    _rule("pregnancy", body.prep_pregnancy, body.judge_pregnancy),
    _rule("diagnosis", d.prep_diagnosis, d.judge_diagnosis),
    _rule("biomarker", bio.prep_biomarker, bio.judge_biomarker),
    _rule("disease_setting", setting.prep_disease_setting, setting.judge_disease_setting),
    _rule("measurable_disease", tumor.prep_measurable, tumor.judge_measurable),
    _rule("cns_metastases", tumor.prep_cns, tumor.judge_cns),
    _rule("metastatic_disease", tumor.prep_metastatic, tumor.judge_metastatic),
    _rule("disease_site", site.prep_site, site.judge_site),
    _rule("prior_therapy_required", t.prep_prior_required, t.judge_prior_required),
    _rule("prior_therapy_excluded", t.prep_prior_excluded, t.judge_prior_excluded),
    _rule("prior_lines", lines.prep_lines, lines.judge_lines),
    _rule("washout", h.prep_washout, h.judge_washout),
    _rule("radiation", proc.prep_radiation, proc.judge_radiation),
    _rule("transplant", proc.prep_history, proc.judge_transplant),
    _rule("amputation", proc.prep_history, proc.judge_amputation),
    _rule("labs", lab_reading.prep_labs, lab.judge_labs),
    _rule("viral", cond.prep_viral, cond.judge_viral),
    _rule("other_malignancy", cond.prep_other_malignancy, cond.judge_other_malignancy),
    _rule("swallow", cond.prep_swallow, cond.judge_swallow),
    _rule("cardiac", cond.prep_cardiac, cond.judge_cardiac),
    _rule("steroids", cond.prep_steroids, cond.judge_steroids),
)
REGISTRY: Final[dict[str, Rule]] = {rule.kind: rule for rule in RULES}

_OTHER = Judgement(UNKNOWN, "not read by the engine", None, rule="unread")


class Judged(NamedTuple):
    """One criterion's outcome. `guard` names why the judge's own verdict was changed, if it was
    ("or", "part", "exception", "conditional": a not_met softened to unknown; "completeness": a
    met left unknown because a requirement was not established; "scope": the rule is for other
    patients), and `raw` keeps the judge's own not_met so that trial-wide rules (every part
    excludes) can restore it."""

    kind: str
    judgement: Judgement
    guard: str | None = None
    raw: Judgement | None = None


def judge_criterion(crit: Criterion, facts: Facts) -> Judged:
    """All aspects of a criterion must hold (AND); the first not_met decides, else any unknown;
    met only when every requirement term the text names was established by a judge that ran.

    Guards keep a clear-looking not_met from excluding a child it may not apply to: one
    alternative of an OR list, a part/cohort-specific rule, an exception the judge did not read,
    or a rule for some patients only ("For patients with CNS tumors, ...").
    """
    if crit.not_applicable is not None:
        return Judged(crit.kind, crit.not_applicable)
    if crit.scope or crit.group:
        outside = _outside_scope(crit, facts)
        if outside is not None:
            return outside
    if crit.condition is not None:
        not_its = condition.outside(crit, facts, judge_criterion)
        if not_its is not None:
            return Judged(crit.kind, not_its, "scope")
    if len(crit.aspects) > 1:
        # "CNS metastases that are symptomatic or require increasing steroids": with the
        # exclusion's subject absent, the aspects that qualify it (steroids) are moot
        for aspect in crit.aspects:
            if aspect.kind == "cns_metastases":
                absent = tumor.cns_subject_absent(aspect.spec, facts)
                if absent is not None:
                    return Judged(aspect.kind, absent)
    first_unknown: Judged | None = None
    met_reasons: list[str] = []
    met_kinds: set[str] = set()
    not_applicable: Judged | None = None
    subject_absent = False
    for aspect in crit.aspects:
        rule = REGISTRY.get(aspect.kind)
        j = rule.judge(aspect.spec, crit, facts) if rule is not None else _OTHER
        if j.verdict == NOT_MET:
            guard = _guard(crit, j, aspect.kind)
            if guard is None:
                return Judged(aspect.kind, j)
            only = _PART_ONLY.match(crit.text) if aspect.kind == "diagnosis" else None
            if guard == "alternative" and only is not None:
                # "Stratum B only: participant must have rhabdomyosarcoma ...": a rule for one
                # stratum, whose tumor the patient does not have, is not the patient's rule
                why = f"a rule for {only.group(1)} only: {j.reason}"
                return Judged(aspect.kind, Judgement(NOT_APPLICABLE, why, rule="other_cohort"))
            if guard == "alternative":
                # this alternative clearly does not hold; whether the trial excludes is the
                # group's question (verdict.decide: only when every alternative is not_met)
                why = f"{j.reason} — one alternative of several (the trial needs one of them)"
                return Judged(aspect.kind, j._replace(reason=why), "alternative")
            softened = Judgement(
                UNKNOWN,
                f"{j.reason} — {_GUARD_TEXT[guard]}",
                j.verify or crit.text[:120],
                rule=j.rule,
            )
            if first_unknown is None or first_unknown.guard is None:
                first_unknown = Judged(aspect.kind, softened, guard, j)
        elif j.verdict == UNKNOWN:
            if first_unknown is None:
                first_unknown = Judged(aspect.kind, j)
        elif j.verdict == MET:
            met_reasons.append(j.reason)
            met_kinds.add(aspect.kind)
            # "Intra-abdominal desmoid tumor causing obstruction within 3 months": the excluded
            # condition needs the tumor, which the patient does not have; its details are moot
            subject_absent = subject_absent or (
                j.rule in ("tumor_absent", "subject_absent") and crit.section == "exclusion"
            )
        elif not_applicable is None or j.rule == "other_diagnosis":
            not_applicable = Judged(aspect.kind, j)
    if first_unknown is not None:
        return first_unknown
    if not met_reasons and not_applicable is not None:  # every aspect said "does not apply"
        return not_applicable
    if not_applicable is not None and not_applicable.judgement.rule == "other_diagnosis":
        # "In Part B2: patients with relapsed osteosarcoma": the tumor names whom the rule is
        # for, so its other parts holding (the setting) do not make it met for another tumor
        return not_applicable
    reason = "; ".join(met_reasons)
    missing = unestablished(crit.terms, met_kinds) if crit.terms and not subject_absent else None
    # "Tumor size > 5 cm OR age >= 10 years": one alternative fully established is enough
    if (
        missing
        and crit.section == "inclusion"
        and " OR " in crit.text
        and any(_side_established(side, met_kinds) for side in crit.text.split(" OR "))
    ):
        missing = None
    if missing:
        what = ", ".join(missing)
        return Judged(
            crit.kind,
            Judgement(
                UNKNOWN,
                f"not established from the profile: {what} (read: {reason})",
                f"{'rule out' if crit.section == 'exclusion' else 'confirm'} {what}: "
                f"{crit.text[:100]}",
                rule="completeness",
            ),
            "completeness",
        )
    return Judged(crit.kind, Judgement(MET, reason))


def verify_of(crit: Criterion, judged: Judged) -> str | None:
    """The fact the board must establish for an unknown criterion (None when it is decided)."""
    j = judged.judgement
    if j.verdict != UNKNOWN:
        return j.verify
    if j.verify is None and judged.kind == "other":
        # an unread rule: the board confirms an inclusion, rules out an exclusion
        verb = "rule out" if crit.section == "exclusion" else "confirm"
        return f"{verb}: {crit.text[:140]}"
    return j.verify


def unestablished(term_ids: tuple[str, ...], met_kinds: set[str]) -> list[str]:
    """Labels of the requirement terms no judge that found its part met could establish."""
    if not term_ids:
        return []
    by_id = TERMS()
    return [by_id[t].label for t in term_ids if not by_id[t].read_by & met_kinds]


@lru_cache(maxsize=4096)  # text-only
def _side(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(kinds, requirement terms) of one alternative of an explicit "A OR B" criterion, its
    parenthesised labels left out ("(unfavorable tumor size or age)")."""
    bare = norm(re.sub(r"\([^()]*\)", " ", text))
    return classify(bare, "", "inclusion"), requirement_terms(bare)


def _side_established(text: str, met_kinds: set[str]) -> bool:
    """True when every kind the alternative asks about was judged met and every requirement
    term it names was established ("age >= 10 years" of "Tumor size > 5 cm OR age >= 10")."""
    kinds, terms = _side(text)
    return "other" not in kinds and set(kinds) <= met_kinds and not unestablished(terms, met_kinds)


@lru_cache(maxsize=1)
def TERMS() -> dict[str, cues.Term]:
    return {t.id: t for t in cues.terms()}


def other_participant(who: str, kind: str, text: str) -> Judged:
    """A rule for someone other than the patient: not applicable, except a donor's, on whose
    eligibility the patient's treatment depends (the board verifies the donor)."""
    if who == "donor":
        why = "rule for the donor, on whom the patient's treatment depends"
        verify = f"the donor meets: {text[:100]}"
        return Judged(kind, Judgement(UNKNOWN, why, verify, rule="donor"), "scope")
    why = f"rule for the {who}, not the patient"
    return Judged(kind, Judgement(NOT_APPLICABLE, why, rule="other_participant"), "scope")


def _not_applicable(crit: Criterion, why: str, rule: str) -> Judged:
    return Judged(crit.kind, Judgement(NOT_APPLICABLE, why, rule=rule), "scope")


def _outside_scope(crit: Criterion, facts: Facts) -> Judged | None:
    """NOT_APPLICABLE when the rule is written for other patients (tumor, sex, age group,
    disease setting), read in the right direction ("other than X" is for everyone but X)."""
    if crit.scope and facts.concept is not None:  # unrecognised diagnosis: whom stays open
        named = ", ".join(vocabulary.concept_name(c) for c in crit.scope)
        mine = any(c in facts.concept_ids for c in crit.scope)
        # a subtype of the patient's tumor, or what one is classed under (possible_forms holds
        # both)
        narrower = vocabulary.possible_forms(facts.concept)
        maybe = any(c in narrower for c in crit.scope)
        if crit.scope_negated and mine:
            why = f"rule for tumors other than {named}; patient has {facts.diagnosis}"
            return _not_applicable(crit, why, "other_diagnosis")
        if not crit.scope_negated and not mine and not maybe:
            why = f"rule for {named} only; patient has {facts.diagnosis}"
            return _not_applicable(crit, why, "other_diagnosis")
    if not crit.group:
        return None
    what = crit.group[0]
    if what == "participant":
        return other_participant(crit.group[1], crit.kind, crit.text)
    if what == "sex" and facts.sex in {"male", "female"} and facts.sex != crit.group[1]:
        return _not_applicable(crit, f"rule for {crit.group[1]} patients only", "other_sex")
    if what == "setting" and crit.group[1] == "first recurrence":
        if (facts.relapse_number or 0) >= 2:
            n = facts.relapse_number
            why = f"rule for patients at first recurrence; patient is at relapse {n}"
            return _not_applicable(crit, why, "other_setting")
    elif what == "setting" and facts.status in {"recurrent", "progressive", "refractory"}:
        why = f"rule for {crit.group[1]} patients only; patient has {facts.status} disease"
        return _not_applicable(crit, why, "other_setting")
    no_cns = facts.cns_metastases is False and "cns_tumor" not in facts.concept_ids
    if what == "cns" and no_cns and facts.concept is not None:
        why = "rule for patients with CNS tumors or metastases; the profile reports none"
        return _not_applicable(crit, why, "other_condition")
    if what == "marrow":
        # the board's recurrence sites are where the disease is known to be
        involved = "bone_marrow" in facts.recurrence_sites
        if involved != crit.group[1]:
            whom = "with" if crit.group[1] else "without"
            has = "has" if involved else "has no known"
            why = f"rule for patients {whom} bone marrow disease; patient {has} marrow disease"
            return _not_applicable(crit, why, "other_condition")
        return None
    if what in ("age", "age_range"):
        other = _other_age(crit.group, facts)
        if other is not None:
            return _not_applicable(crit, f"rule for patients {other} only", "other_age")
    if what == "age_groups":
        whys = [_other_age(g, facts) for g in crit.group[1]]
        if all(whys):
            why = f"rules for patients {' and '.join(w for w in whys if w)} only"
            return _not_applicable(crit, why, "other_age")
    return None


def _other_age(group: tuple[Any, ...], facts: Facts) -> str | None:
    """The age group ("aged 10 to 17 years") when the patient is clearly outside it, else None."""
    if group[0] == "age":
        _g, op, value, per = group
        if age_ok(facts.age_months, op, value, per) is False:
            return f"{op} {value:g} {'months' if per == 1 else 'years'}"
        return None
    _g, low, high, per, below = group
    inside = (
        age_ok(facts.age_months, ">=", low, per),
        age_ok(facts.age_months, below, high, per),
    )
    if False in inside:
        upto = f"{high:g}" if below == "<=" else f"< {high:g}"
        return f"aged {low:g} to {upto} {'months' if per == 1 else 'years'}"
    return None


_GUARD_TEXT = {
    "or": "but this is one of several alternatives",
    "part": "applies to one part/cohort only",
    "exception": "the criterion has exceptions",
    "conditional": "the criterion applies only to some patients",
}


# "Stratum B only:", "Part 2 only -": a label saying the rule is one part's alone
_PART_ONLY = re.compile(
    r"^\s*((?:part|cohort|stratum|strata|arm|group|phase)\s+[a-z0-9]{1,3}(?:\s*(?:and|or|,)\s*"
    r"[a-z0-9]{1,3})*)\s+only\b",
    re.IGNORECASE,
)


def _guard(crit: Criterion, j: Judgement, kind: str) -> str | None:
    # one cohort's tumor in a group of cohorts, or "Stratum 1: rhabdomyosarcoma" as one
    # alternative of "one of the malignancies below": the part it names is what the choice is
    # about, not a doubt about whom the rule is for
    own = _own_guard(crit, j, kind, cohort=bool(crit.alt_group))
    if crit.alt_group and own is None:
        # an alternative with no doubt of its own is not_met on its own; the group decides
        return "alternative"
    if crit.in_or_group and crit.section == "inclusion":
        return "or"
    return own


def _own_guard(crit: Criterion, j: Judgement, kind: str, *, cohort: bool = False) -> str | None:
    if crit.part_specific and not j.scoped and not cohort:
        return "part"
    if crit.has_exception and not j.handled:
        return "exception"
    # a diagnosis requirement is stated first; a condition in a later sentence ("To be eligible
    # for atezolizumab in combination ...") is about something else
    text = crit.norm.split(". ", 1)[0] if kind == "diagnosis" else crit.norm
    if not j.scoped and _conditional(text):
        return "conditional"
    return None


@lru_cache(maxsize=65536)  # profile-independent; asked again for every profile a rule excludes
def _conditional(norm_text: str) -> bool:
    return _CONDITIONAL.search(norm_text) is not None


_PART = re.compile(
    # "Part A", "Cohort 2", "Arm B1" (not "a cohort at enrollment", "the groups of")
    r"\b(?:parts?|cohorts?|arms?|groups?|strat(?:um|a)|sub ?study|segment)\s+"
    r"(?!(?:at|of|in|to|for|and|or|the|is|are|on|by|as|an|if|per|who|any|all)\b)[a-z0-9]{1,3}\b|"
    r"\bphase (?:1|2|i|ii)\b[^.;]{0,3}[:(]|\bdose escalation\b|\bexpansion (?:cohort|phase|part)|"
    r"\(a\)[^()]{3,}\(b\)|\b(?:for|in) (?:the )?(?:dose|expansion|escalation)",
)
_CONDITIONAL = cues.cue("condition")
# an exception or a permission ("unless", "other than", "allowed", "are eligible") in the text
_EXCEPTION_WORDS = re.compile(
    rf"{cues.cue('exception').pattern}|{cues.cue('permission').pattern}|\bprovided\b|\bwaived\b"
)


def part_specific(norm_text: str) -> bool:
    """Scoped to one part/cohort/arm. Only the first sentence counts: a later sentence naming a
    cohort ("... may have been enrolled in Cohort 9") does not scope the rule itself."""
    return _PART.search(norm_text.split(". ", 1)[0]) is not None


def has_exception(norm_text: str) -> bool:
    if not any(t in norm_text for t in _EXCEPTION_TRIGGERS):
        return False
    return _EXCEPTION_WORDS.search(norm_text) is not None


_EXCEPTION_TRIGGERS = (
    *cues.triggers("exception"),
    *cues.triggers("permission"),
    "provided",
    "waived",
)
