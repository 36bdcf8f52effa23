"""Judge for the diagnosis: the tumors a criterion names (lists, exceptions, conditions, grades),
read against the profile's diagnosis and the vocabulary's classes (biomarkers: judge_biomarker;
the disease setting: judge_setting)."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, vocabulary
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.judge_grade import grades_required, judge_grade

# After these words a list names who is *not* included ("solid tumors, excluding CNS tumors").
_EXCLUDING = re.compile(f"{cues.cue('exception').pattern}|{cues.cue('exclusion_list').pattern}")
_OPEN_LIST = re.compile(
    r"\bother\b|\be ?g\b|\bsuch as\b|\bincluding but not limited|\bfor example\b|\betc\b"
)
_REQUIREMENT = re.compile(
    r"\b(?:histolog|cytolog|patholog)\w*\s+(?:or\s+\w+\s+)"
    r"?(?:confirm|verif|proven|diagnos|document|evidence)|"
    r"\bdiagnosis of\b|\bdiagnosed with\b|\bconfirmed\b|\bproven\b|"
    # "must have osteosarcoma diagnosed histologically", "reported as the diagnosis"
    r"\bdiagnosed (?:histolog|cytolog|patholog)|\bas (?:the|a) (?:reported |primary )?diagnosis\b|"
    r"\b(?:verified|confirmed|made) (?:histolog|cytolog|patholog)\w*|"
    r"\bdiagnosis\b[^.;]{0,60}\b(?:is|are) required\b|"
    r"\bmust have\b[^.;]{0,40}\b(?:sarcoma|tumou?r|malignan|neoplasm|cancer|\w+oma\b)"
)
_CONDITIONAL = cues.cue("condition_diagnosis")


_GENERIC_WORDS = frozenset({"neoplasm"})
_GENERIC_TUMOR = vocabulary.GENERIC_TUMORS
_UNKNOWN_HISTOLOGY = "a histology not in the vocabulary"


# an exclusion of another tumor that reaches into the past ("or history of myelogenous leukemia")
# "sarcomas that do not fit the definition of those considered for this registry"
_NOT_FITTING = re.compile(
    r"\b(?:that|which|who) (?:do|does|did) not (?:fit|meet|match|qualify|belong)|\bnot (?:fitting|"
    r"meeting) the (?:definition|criteria)|\bnot (?:considered|eligible) for this (?:study|trial|"
    r"registry)"
)
# words before the tumor that make it a qualifier of another condition ("fracture not related
# to desmoid tumor", "NSAIDs given for desmoid tumor treatment", "other than DSRCT")
_QUALIFIER = re.compile(
    r"\b(?:related|due|caused|secondary|associated|attributed|given|treatment|therapy|for|from|"
    r"than|except|excluding|without|not)\b"
)
_BRACKET = re.compile(r"\([^()]*\)")


def _without_examples(text: str) -> str:
    """The text without the brackets that list examples of a named histology ("Non-
    rhabdomyosarcoma soft tissue sarcoma (synovial sarcoma, ...)")."""
    out, last = [], 0
    for m in _BRACKET.finditer(text):
        before = vocabulary.find_concepts(text[max(0, m.start() - 60) : m.start()].rstrip())
        named = before and before[-1] not in _GENERIC_TUMOR
        if named and re.search(r"[a-z]\s*$", text[: m.start()]):
            out.append(text[last : m.start()])
            last = m.end()
    return "".join(out) + text[last:]


# a class of tumors by behaviour ("intermediate/benign soft tissue tumours", "tumours of
# intermediate malignancy"), not a histology
_INTERMEDIATE = re.compile(
    r"\bintermediate\b(?:\s*(?:/|or|and)\s*benign\b)?[^.;]{0,30}\b(?:tumou?rs?|neoplasms?|"
    r"malignan\w*|behaviou?r)\b"
)
_BENIGN_TOO = re.compile(
    r"\b(?:intermediate\s*(?:/|or|and)\s*benign|benign\s*(?:/|or|and)\s*intermediate)\b"
)


def _named_behaviour(norm: str, concept: str) -> str | None:
    """ "intermediate" when an exclusion names tumors of intermediate behaviour and the
    patient's is one (vocabulary "intermediate": IMT, DFSP), "benign" when it names benign ones
    too and the patient's is no malignancy (desmoid); None otherwise."""
    if not _INTERMEDIATE.search(norm):
        return None
    malignant = vocabulary.malignant(concept)
    if malignant is None:
        return "intermediate"
    if malignant is False and _BENIGN_TOO.search(norm):
        return "benign or intermediate"
    return None


_HISTORY = re.compile(r"\bhistory of\b|\b(?:prior|previous|past)\b(?! (?:therap|treatment|chemo))")


def prep_diagnosis(crit_text: str, norm: str, section: str) -> Any:
    cut = _EXCLUDING.search(norm)
    positive = vocabulary.find_concepts(norm[: cut.start()] if cut else norm)
    excluded = vocabulary.find_concepts(norm[cut.start() :]) if cut else []
    # "soft tissue sarcoma ... unless the recurrence arises after a resection with confirmed
    # sarcoma histology": an exception as broad as the tumors required carves none of them out,
    # it is about something else (a biopsy, a confirmation), never the patient's diagnosis
    excluded = [
        e for e in excluded
        if not any(p == e or e in vocabulary.ancestors(p) for p in positive)
    ]  # fmt: skip
    if any(c not in _GENERIC_TUMOR for c in positive):
        # named histologies with a generic word only as the tail of unknown ones: no "any sarcoma"
        passing = vocabulary.generic_only_in_passing(norm[: cut.start()] if cut else norm)
        # ... and one named only inside a bracket of examples ("Non-rhabdomyosarcoma soft tissue
        # sarcoma (synovial sarcoma, ..., BCOR-altered sarcoma, and others)") widens nothing
        unbracketed = set(
            vocabulary.find_concepts(_without_examples(norm[: cut.start()] if cut else norm))
        )
        positive = [
            c for c in positive
            if c not in passing and (c not in _GENERIC_TUMOR or c in unbracketed)
        ]  # fmt: skip
    requirement = bool(_REQUIREMENT.search(norm)) and not _CONDITIONAL.search(norm)
    # The names are profile-independent: built once per criterion version, not once per profile.
    # a generic word next to named tumors ("any of the following cancers: ...") is no tumor
    shown = [c for c in positive if c not in _GENERIC_WORDS] or positive
    named = ", ".join(vocabulary.concept_name(c) for c in shown) or "listed tumors"
    # ("Ewing sarcoma (including tumors with EWSR1-FLI1 or other FET-ETS fusion)": "other" in
    # a bracket after a named histology is one of its forms, not another tumor)
    open_list = bool(_OPEN_LIST.search(_without_examples(norm)))
    # "Neurologic deficits in patients with CNS tumors must have been stable": the tumors pick
    # whom the rule is for
    condition = bool(_CONDITIONAL.search(norm)) and not _REQUIREMENT.search(norm)
    only_generic = bool(positive) and all(c in _GENERIC_TUMOR for c in positive)
    if only_generic and vocabulary.generic_named_in_passing(norm[: cut.start()] if cut else norm):
        # "Myxoinflammatory fibroblastic sarcoma": a histology the vocabulary does not know, not
        # "any sarcoma"
        positive, named = [], _UNKNOWN_HISTOLOGY
    grades = grades_required(norm)
    history = _HISTORY.search(norm) is not None
    # "fracture not related to desmoid tumor": the first tumor named qualifies another condition
    qualified = bool(_QUALIFIER.search(norm[: vocabulary.find_concepts_at(norm) or 0]))
    return (
        tuple(positive),
        tuple(excluded),
        requirement,
        open_list,
        named,
        grades,
        condition,
        history,
        qualified,
    )


def judge_subtype(spec: Any, facts: Facts) -> Judgement:
    """One subtype of the heading's tumor ("Myxoid" under liposarcoma subtypes): not met for a
    patient with another tumor; for the heading's own tumor, which subtype it is stays open."""
    _tag, tumors, named = spec
    if facts.concept is None:
        return Judgement(
            UNKNOWN,
            f"diagnosis '{facts.diagnosis}' is not in the vocabulary; subtype of {named}",
            f"whether {facts.diagnosis} is this subtype of {named}",
            rule="unrecognised_diagnosis",
        )
    narrower = vocabulary.descendants_of(facts.concept)
    if any(c in facts.concept_ids or c in narrower for c in tumors):
        why = f"a subtype of {named}: which subtype {facts.diagnosis} is"
        return Judgement(UNKNOWN, why, "histologic subtype", rule="subtype")
    return Judgement(
        NOT_MET, f"a subtype of {named}; patient has {facts.diagnosis}", handled=True,
        rule="subtype",
    )  # fmt: skip


def judge_diagnosis(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    if spec[0] == "subtype":
        return judge_subtype(spec, facts)
    positive, excluded, requirement, open_list, named, grades, condition, history, qualified = spec
    if not positive and not excluded:
        if crit.alt_group and named == _UNKNOWN_HISTOLOGY and facts.concept is not None:
            # "Low-grade myofibroblastic sarcoma" as one alternative of a list of histologies:
            # a sarcoma the vocabulary does not know is not the patient's known one
            why = f"names a histology other than {facts.diagnosis} (not in the vocabulary)"
            return Judgement(NOT_MET, why, handled=True, rule="other_histology")
        return Judgement(UNKNOWN, "diagnosis wording not read", "diagnosis as required")
    if facts.concept is None:
        # an unrecognised diagnosis: whether it is one of the tumors named stays open
        return Judgement(
            UNKNOWN,
            f"diagnosis '{facts.diagnosis}' is not in the vocabulary; criterion names {named}",
            f"whether {facts.diagnosis} counts as {named}",
            rule="unrecognised_diagnosis",
        )
    # "any one of the following cancers: (A) Synovial Sarcoma, (B) MPNST ...": a generic word
    # next to named tumors introduces the list, it does not widen it
    specific = [c for c in positive if c not in _GENERIC_WORDS]
    hits = [c for c in (specific or positive) if c in facts.concept_ids]
    if crit.section == "exclusion":
        if _NOT_FITTING.search(crit.norm):
            # "sarcomas that do not fit the definition of those considered for this registry":
            # the tumors named are the ones the exclusion spares, not the ones it excludes
            return Judgement(
                UNKNOWN,
                f"excludes tumors that do not fit the trial's own list; whether {facts.diagnosis}"
                " fits it",
                f"exclusion: {crit.text[:120]}",
            )
        if facts.concept is not None and not hits:
            if history and facts.other_malignancy is not False:
                # "Active myelogenous leukemia, or history of myelogenous leukemia": the index
                # tumor is not it, but whether the patient has had it is the other-cancer history
                return Judgement(
                    UNKNOWN,
                    f"{facts.diagnosis} is not among {named}; another malignancy is "
                    + ("reported" if facts.other_malignancy else "not recorded"),
                    f"no history of {named}",
                    rule="other_cancer_history",
                )
            if qualified:
                # "history of pathologic fracture not related to desmoid tumor", "NSAIDs given for
                # desmoid tumor treatment": the tumor qualifies what is excluded, it is not it
                return Judgement(
                    UNKNOWN,
                    f"the criterion names {named} inside another condition; {facts.diagnosis} "
                    "is not among them, the condition itself is not read",
                    f"exclusion: {crit.text[:120]}",
                    rule="tumor_in_qualifier",
                )
            behaviour = _named_behaviour(crit.norm, facts.concept)
            if behaviour is not None:
                # "... and intermediate/benign soft tissue tumours (e.g. desmoid-type
                # fibromatosis)": the patient's tumor is of that behaviour by its WHO class
                return Judgement(
                    NOT_MET,
                    f"{facts.diagnosis} is a tumor of {behaviour} behaviour, which this "
                    "exclusion names",
                    rule="tumor_behaviour",
                )
            return Judgement(MET, f"{facts.diagnosis} is not among {named}", rule="tumor_absent")
        return Judgement(
            UNKNOWN,
            f"criterion names {named}; check it does not exclude {facts.diagnosis}",
            f"exclusion: {crit.text[:120]}",
        )
    if (
        hits
        and all(c in _GENERIC_TUMOR for c in hits)
        and vocabulary.malignant(facts.concept) is False
    ):
        # a desmoid against "histologic verification of malignancy" or a cancer trial's
        # "relapsed or refractory solid tumors": no cancer, but trials for children's solid
        # tumors take it at times, so it is the board's question, never an exclusion (an
        # intermediate tumor such as IMT is accepted here)
        if hits == ["neoplasm"] and "malignan" in crit.norm:
            why = f"requires a malignancy; {facts.diagnosis} is not one"
            verify = f"whether {facts.diagnosis} is accepted: {crit.text[:90]}"
        else:
            generic = vocabulary.concept_name(hits[0])
            why = f"{facts.diagnosis} is not a malignancy; whether it counts as {generic} here"
            verify = f"whether {facts.diagnosis} counts as {generic}"
        return Judgement(UNKNOWN, why, verify, rule="not_malignant")
    if hits and not any(c in facts.concept_ids for c in excluded if c not in {"neoplasm"}):
        covered = f"{facts.diagnosis} is covered by {vocabulary.concept_name(hits[0])}"
        return judge_grade(grades, covered, facts, single=len(positive) == 1)
    # subtypes of the patient's tumor, and what they are classed under (possible_forms holds both)
    narrower = vocabulary.possible_forms(facts.concept)
    specific = [c for c in positive if c not in _GENERIC_TUMOR]
    # "patients with X" as one alternative/cohort of a group names the tumor it is for
    if condition and specific and not crit.alt_group and not any(c in narrower for c in positive):
        return Judgement(
            NOT_APPLICABLE,
            f"rule for patients with {named}; patient has {facts.diagnosis}",
            rule="other_diagnosis",
        )
    if any(c in narrower for c in positive):
        broader = next(c for c in positive if c in narrower)
        form = vocabulary.form_under(facts.concept, broader)
        why = (
            f"{facts.diagnosis} may be {form}, which {vocabulary.concept_name(broader)} covers"
            if form is not None and form != vocabulary.concept_name(broader)
            else f"criterion names a subtype ({named}) of {facts.diagnosis}"
        )
        return Judgement(
            UNKNOWN,
            why,
            f"histologic subtype ({named})",
        )
    # an alternative of a firm "one of the following" list names a tumor the patient must have
    if open_list or not (requirement or crit.alt_group) or not positive:
        return Judgement(
            UNKNOWN,
            f"criterion names {named}; list may be open or conditional",
            f"whether {facts.diagnosis} qualifies: {crit.text[:100]}",
        )
    return Judgement(NOT_MET, f"requires {named}; patient has {facts.diagnosis}", handled=True)
