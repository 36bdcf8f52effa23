"""Judges for the tumor's extent: measurable disease (RECIST) and CNS metastases."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, vocabulary
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement
from matcher.domain.eligibility.numbers import fold_ops


def prep_measurable(crit_text: str, norm: str, section: str) -> Any:
    not_required = bool(
        re.search(
            (
                r"\bnot (?:be )?required to have measurable"
                r"|\bmeasurable disease (?:is )?not required"
                r"|\bnon measurable"
            ),
            norm,
        )
    )
    evaluable = bool(re.search(r"\bevaluable\b|\bassessable\b", norm))
    size = _SIZE.search(fold_ops(norm)) if not _RECIST_DEFINITION.search(norm) else None
    cm = None if size is None else float(size.group(1)) / (10 if size.group(2) == "mm" else 1)
    # lesions of a lymphoid malignancy only ("RECIST (solid tumors) or Lugano (lymphoma)" offers
    # the solid-tumor reading as well)
    other_disease = bool(
        re.search(r"\blymphoid\b|\blymphomas?\b|\bmyeloma\b", norm)
        and not re.search(r"\brecist|\bsolid tumou?r", norm)
    )
    return not_required, evaluable, cm, other_disease


# "measurable disease, i.e. at least one lesion accurately measurable in one dimension (longest
# diameter ...) as >= 20 mm by chest x-ray": RECIST's definition of measurable, in any words; its
# sizes say what counts as measurable, not a size the tumor must reach
_RECIST_DEFINITION = re.compile(
    r"\bdefined\b|\brecist|\bi ?e\b|\bmeaning\b|\baccurately measur|\bshort axis\b"
)
# "Measurable tumor that is ≥ 2 cm in its longest diameter" (not the RECIST definition's sizes)
_SIZE = re.compile(r"(?:>=|>)\s*(\d+(?:\.\d+)?)\s*(cm|mm)\b")


def judge_measurable(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    not_required, evaluable, min_cm, other_disease = spec
    if not_required:
        return Judgement(MET, "measurable disease not required")
    if other_disease:
        # "measurable lymph node or extranodal lymphoid malignant lesion": the lesions of another
        # disease (a lymphoma trial); a sarcoma's measurable disease does not establish them
        return Judgement(
            UNKNOWN, "asks for measurable lesions of a lymphoid malignancy", crit.text[:100]
        )
    if crit.section == "exclusion":
        return Judgement(
            UNKNOWN, "exclusion about measurability", f"measurability: {crit.text[:100]}"
        )
    if facts.measurable is True and min_cm is not None:
        if facts.size_cm is not None and facts.size_cm >= min_cm:
            return Judgement(MET, f"measurable tumor of {facts.size_cm:g} cm (≥ {min_cm:g} cm)")
        have = "size not given" if facts.size_cm is None else f"tumor {facts.size_cm:g} cm"
        return Judgement(
            UNKNOWN, f"requires a measurable tumor ≥ {min_cm:g} cm; {have}", "size of lesion"
        )
    if facts.measurable is True:
        return Judgement(MET, "measurable disease reported")
    if facts.measurable is False:
        if evaluable:
            return Judgement(
                UNKNOWN, "not measurable; evaluable disease may suffice", "evaluable disease"
            )
        return Judgement(NOT_MET, "requires measurable disease; profile says not measurable")
    return Judgement(UNKNOWN, "measurability not given", "measurable disease (RECIST)")


_CNS_QUALIFIED = re.compile(
    r"\buntreated\b|\bactive\b|\bsymptomatic\b|\bprogress|\bnew\b|\bunstable\b"
    r"|\buncontrolled\b|\brequiring\b|\bleptomeningeal\b|\bstable\b|\btreated\b"
)
# "(excluding patients with primary or metastatic CNS tumors)" in an inclusion: absence asked
_CNS_NEGATED = re.compile(
    r"\bno\b|\bwithout\b|\bmust not\b|\bnot have\b|\bfree of\b|\babsence of\b"
    r"|\bexcluding (?:patients|participants|subjects|those)\b"
    # the same exception in other words: "except for", "other than those with", "with exclusion
    # of", "excl.", "... CNS tumors are not eligible", "but not"
    # (the exception must be about the CNS disease: "fine needle aspiration is excluded" is not)
    r"|\b(?:excluding|excl|except|other than|unless|exclusion of|but not)\b[^.;]{0,50}"
    r"\b(?:cns|brain|central nervous system|intracranial)\b"
    r"|\b(?:cns|brain|central nervous system|intracranial)\b[^.;]{0,80}"
    r"\b(?:are|is|will be) (?:not eligible|ineligible|excluded)\b"
)
_CNS_CONDITIONAL = re.compile(
    r"\b(?:for|in) (?:patients|subjects|those) with\b[^.;]{0,40}\b(?:cns|brain)"
)


# an inclusion that is nothing but CNS metastases ("brain metastases at diagnosis;")
_CNS_REQUIRED = re.compile(
    r"^(?:known |documented |presence of |with )?(?:brain|cns|central nervous system|intracranial"
    r"|leptomeningeal) metasta\w*(?: (?:at|since) (?:initial )?diagnosis)?\W*$"
)


# "Subjects with carcinomatous meningitis": leptomeningeal spread only, which brain metastases
# do not establish (the profile records CNS metastases, not where in the CNS)
_LEPTO = re.compile(
    r"\bleptomening|\bcarcinomatous meningitis|\bneoplastic meningitis|\bmeningeal "
    r"(?:disease|carcinomatosis|metasta|involvement|spread)"
)
_PARENCHYMAL = re.compile(
    r"\b(?:brain|cns|central nervous system|intracranial|parenchymal) (?:\w+ )?(?:metasta|lesion|"
    r"involvement|disease|tumou?r)"
)


# "brain metastases, treated or untreated": every state, so no state decides
_ANY_STATE = re.compile(
    r"\b(?:treated or untreated|untreated or treated|whether (?:or not )?treated(?: or not)?|"
    r"regardless of (?:prior )?(?:treatment|therapy|status|symptoms))\b"
)


# "brain metastases or leptomeningeal disease": any CNS disease, so leptomeningeal spread named
# beside brain metastases is one more form, not a state to establish
_LEPTO_ALSO = re.compile(
    r"(?<=metastases) (?:and/or|and or|or) leptomeningeal (?:disease|metastases|spread)\b"
)


# "CNS metastases that are symptomatic or require increasing steroid dose": the metastases are
# the rule's subject and the rest only qualifies them (no ", or ..." beyond the clause)
_CNS_SUBJECT = re.compile(
    # an optional topic label ("CNS disease: Patients with known CNS metastases are not
    # eligible unless ..."); "are not eligible unless" qualifies them as "that ..." does
    r"^(?:[a-z ]{2,30}: )?(?:(?:patients|participants|subjects) with )?(?:(?:known|active|"
    r"untreated|symptomatic|uncontrolled|progressive) )*(?:cns|brain|central nervous system|"
    r"intracranial) metasta\w*(?: or leptomeningeal \w+)? (?:that|which|with|requiring|causing|"
    r"(?:are|is) (?:not eligible|excluded|ineligible) (?:unless|except))\b"
    r"(?![^.;]*(?:,|;) ?or\b(?! that\b))[^.;]*\W*$"
)
# ... followed only by sentences that allow ("Parameningeal tumor with intracranial extension is
# allowed if ...")
_ALLOWS = re.compile(r"\b(?:is|are) (?:allowed|permitted|eligible)\b")


def prep_cns(crit_text: str, norm: str, section: str) -> Any:
    return (
        bool(_CNS_QUALIFIED.search(_LEPTO_ALSO.sub(" ", _ANY_STATE.sub(" ", norm)))),
        bool(_CNS_NEGATED.search(norm)),
        bool(_CNS_CONDITIONAL.search(norm)),
        bool(_LEPTO.search(norm)) and not _PARENCHYMAL.search(norm),
        section == "exclusion" and _cns_subject(norm),
    )


def _cns_subject(norm: str) -> bool:
    first, *rest = re.split(r"(?<=\.)\s+", norm.strip())
    return bool(_CNS_SUBJECT.match(first)) and all(_ALLOWS.search(s) for s in rest)


def cns_subject_absent(spec: Any, facts: Facts) -> Judgement | None:
    """MET for an exclusion whose subject is CNS metastases the patient does not have (what
    qualifies them, steroids or symptoms, is moot); None otherwise."""
    if spec[4] and facts.cns_metastases is False:
        why = "no CNS metastases reported; the rest of the rule only qualifies them"
        return Judgement(MET, why, rule="subject_absent")
    return None


def judge_cns(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    qualified, negated, conditional, meninges_only, _subject = spec
    has = facts.cns_metastases
    if meninges_only and has is True:
        return Judgement(
            UNKNOWN,
            "CNS metastases reported; whether they are leptomeningeal is not recorded",
            "leptomeningeal disease",
            rule="meninges_only",
        )
    if conditional:
        if has is False:
            return Judgement(MET, "applies only to patients with CNS disease; none reported")
        return Judgement(
            UNKNOWN,
            "condition for patients with CNS disease",
            f"CNS disease details: {crit.text[:90]}",
        )
    excludes_cns = crit.section == "exclusion" or negated
    if crit.section == "inclusion" and not negated and _CNS_REQUIRED.match(crit.norm):
        # "brain metastases at diagnosis;" alone in an inclusion list: the trial is for them
        if has is False:
            return Judgement(NOT_MET, "requires CNS metastases; the profile reports none")
        if has is True and "diagnos" not in crit.norm:
            return Judgement(MET, "CNS metastases reported")
        return Judgement(UNKNOWN, "CNS metastases as required", f"CNS metastases: {crit.text[:90]}")
    if has is None:
        return Judgement(UNKNOWN, "CNS metastases not stated", "presence of CNS metastases")
    if not excludes_cns:
        return Judgement(
            UNKNOWN, "criterion about CNS metastases", f"CNS metastases: {crit.text[:90]}"
        )
    if has is False:
        subject = cns_subject_absent(spec, facts)  # what qualifies them is moot
        return subject or Judgement(MET, "no CNS metastases reported")
    if qualified:
        return Judgement(
            UNKNOWN,
            "CNS metastases present; criterion depends on their state",
            "whether CNS metastases are treated/stable",
        )
    return Judgement(
        NOT_MET,
        "CNS metastases present; trial excludes them",
        handled=exception_names_other_tumor(crit.norm, facts),
    )


_EXCEPT_CLAUSE = re.compile(rf"(?:{cues.cue('exception').pattern})\w*(?: for)?([^,.;]*)")


def exception_names_other_tumor(norm: str, facts: Facts) -> bool:
    """True when every exception clause names only tumors the patient does not have ("CNS
    metastasis, except for craniopharyngeal tumors, will be excluded")."""
    clauses = [m.group(1) for m in _EXCEPT_CLAUSE.finditer(norm)]
    if not clauses:
        return False
    for clause in clauses:
        named = vocabulary.find_concepts(clause)
        if not named or any(c in facts.concept_ids for c in named):
            return False
    return True


# --- metastatic disease -------------------------------------------------------------------------

DISTANT = frozenset({"pulmonary", "bone", "bone_marrow", "cns", "other_distant"})
METASTATIC = re.compile(
    r"\bmust have (?:distant |documented )?metastatic disease|\bdistant (?:\w+ ){0,2}metasta"
    # an exclusion that opens with the disease: "Metastatic disease or regional lymph node ..."
    r"|^(?:known |evidence of |presence of )?metastatic disease\b"
    # "locally advanced unresectable or metastatic soft tissue sarcoma": a qualifier of the
    # disease that must be established too (met with distant disease, else open)
    r"|\b(?:unresectable|inoperable|locally advanced)(?: \w+)? (?:and/or|and or|or) metastatic\b"
    r"|\bmetastatic (?:and/or|and or|or) (?:locally advanced|unresectable|inoperable)\b"
    # "clinical stage IV (AJCC, 8th edition)" on its own: distant metastases
    r"|^(?:clinical |pathologic(?:al)? |ajcc )?stage (?:iv|4)\b(?! ?s\b)(?![^.;]{0,20}\bor\b)"
)
# "no evidence of distant metastases", "without distant sarcoma metastases": absence is asked
_ABSENT = re.compile(r"\b(?:no|without|absence of|free of)\b(?: \w+){0,3} (?:distant|metastatic)\b")


def prep_metastatic(crit_text: str, norm: str, section: str) -> Any:
    # "locally advanced or metastatic": metastatic is one alternative, not a requirement
    alternative = re.search(
        r"\b(?:or|and/or|and or) (?:distant )?metasta|\bmetastatic (?:and/or|and or|or)\b", norm
    )
    return (alternative is None, _ABSENT.search(norm) is not None)


def judge_metastatic(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    """Distant metastases asked for, or asked to be absent, read from the recurrence sites: the
    board lists where the disease is, so a local or regional recurrence alone has none."""
    required, absent = spec
    distant = sorted(facts.recurrence_sites & DISTANT)
    verify = "distant metastatic disease"
    if not facts.recurrence_sites:
        return Judgement(UNKNOWN, "recurrence sites not given", f"metastases: {crit.text[:100]}")
    where = f"recurrence at {', '.join(distant)}" if distant else "local/regional recurrence only"
    # the criterion holds when the patient has distant disease (inclusion asking for it,
    # exclusion asking for its absence) or has none (inclusion asking for absence, exclusion)
    wants_distant = (crit.section == "inclusion") != absent
    if crit.section == "exclusion" and absent:
        return Judgement(UNKNOWN, "exclusion of absent metastases not read", verify)
    if not required and not distant:
        return Judgement(UNKNOWN, f"{where}; metastatic disease is one alternative", verify)
    if bool(distant) == wants_distant:
        return Judgement(MET, f"{where}: {'distant metastases' if distant else 'none distant'}")
    return Judgement(NOT_MET, f"{where}: {'distant metastases' if distant else 'none distant'}")
