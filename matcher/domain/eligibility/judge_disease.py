"""Judges for the tumor: diagnosis, biomarkers, disease setting, measurable disease, CNS spread."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, judge_response, judge_therapy, vocabulary
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
_HISTORY = re.compile(r"\bhistory of\b|\b(?:prior|previous|past)\b(?! (?:therap|treatment|chemo))")


def prep_diagnosis(crit_text: str, norm: str, section: str) -> Any:
    cut = _EXCLUDING.search(norm)
    positive = vocabulary.find_concepts(norm[: cut.start()] if cut else norm)
    excluded = vocabulary.find_concepts(norm[cut.start() :]) if cut else []
    if any(c not in _GENERIC_TUMOR for c in positive):
        # named histologies with a generic word only as the tail of unknown ones: no "any sarcoma"
        passing = vocabulary.generic_only_in_passing(norm[: cut.start()] if cut else norm)
        positive = [c for c in positive if c not in passing]
    requirement = bool(_REQUIREMENT.search(norm)) and not _CONDITIONAL.search(norm)
    # The names are profile-independent: built once per criterion version, not once per profile.
    # a generic word next to named tumors ("any of the following cancers: ...") is no tumor
    shown = [c for c in positive if c not in _GENERIC_WORDS] or positive
    named = ", ".join(vocabulary.concept_name(c) for c in shown) or "listed tumors"
    open_list = bool(_OPEN_LIST.search(norm))
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
    return (
        tuple(positive),
        tuple(excluded),
        requirement,
        open_list,
        named,
        grades,
        condition,
        history,
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
    positive, excluded, requirement, open_list, named, grades, condition, history = spec
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
            return Judgement(MET, f"{facts.diagnosis} is not among {named}")
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
        return Judgement(
            UNKNOWN,
            f"criterion names a subtype ({named}) of {facts.diagnosis}",
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


# --- biomarkers ---------------------------------------------------------------------------------

_NEGATIVE = re.compile(r"\bnegative\b|\bnot detected\b|\bwild ?type\b|\babsent\b|\bno\b|\bihc 0\b")


def prep_biomarker(crit_text: str, norm: str, section: str) -> Any:
    genes = tuple(
        dict.fromkeys(_family(g.replace(" ", "")) for g in cues.biomarker_genes().findall(norm))
    )
    wants_negative = bool(
        re.search(
            r"\bfusion negative|\bnegative for\b|\bwithout (?:a |an )?\w+ (?:fusion|mutation)", norm
        )
    )
    return genes, wants_negative


def _unreported_partners(genes: tuple[str, ...], positive: list[str], norm: str) -> str | None:
    """A marker the criterion joins with "and" to the reported one and the profile does not
    report (None when the markers are alternatives or all reported)."""
    families: dict[str, list[str]] = {}
    for gene in genes:  # "hlaa*02:01" and "hlaa*02:05" are one marker's alternatives
        head = re.match(r"[a-z]+", gene)
        families.setdefault(head.group(0) if head else gene, []).append(gene)
    if len(families) < 2:
        return None
    where = {g: _position(g, norm) for g in genes}
    for family, members in families.items():
        if any(any(m in b.replace(" ", "") for m in members) for b in positive):
            continue
        # joined by "and" (not only "or") to every other marker
        at = where[members[0]]
        others = [where[g] for f, gs in families.items() if f != family for g in gs]
        spans = [norm[min(at, o) : max(at, o)] for o in others if o >= 0 and at >= 0]
        if spans and all(re.search(r"\band\b", span) for span in spans):
            return members[0]
    return None


def _position(gene: str, norm: str) -> int:
    """Where a de-spaced gene name ("nyeso1") is written in the text ("ny eso 1"), or -1."""
    found = re.search(" ?".join(re.escape(ch) for ch in gene), norm)
    return found.start() if found else -1


def _family(gene: str) -> str:
    """NTRK1/2/3 -> ntrk: criteria list family members as alternatives, boards write "NTRK"."""
    return re.sub(r"^(ntrk|fgfr|ssx|idh)\d$", r"\1", gene)


def judge_biomarker(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    genes, wants_negative = spec
    if not genes:
        return Judgement(UNKNOWN, "biomarker requirement not read", f"biomarker: {crit.text[:100]}")
    label = "/".join(g.upper() for g in genes)
    positive = [
        b
        for b in facts.biomarkers
        if any(g in b.replace(" ", "") for g in genes) and not _NEGATIVE.search(b)
    ]
    negative = [
        b
        for b in facts.biomarkers
        if any(g in b.replace(" ", "") for g in genes) and _NEGATIVE.search(b)
    ]
    if wants_negative and crit.section == "inclusion" and positive and not negative:
        return Judgement(
            NOT_MET, f"requires {label}-negative disease; profile reports {positive[0]}"
        )
    if crit.section == "exclusion" or wants_negative:
        if negative and not positive:
            return Judgement(MET, f"profile reports {negative[0]}")
        return Judgement(UNKNOWN, f"{label} status matters here", f"{label} status")
    if positive:
        missing = _unreported_partners(genes, positive, crit.norm)
        if missing:
            # "HLA-A*02:01 ... positive and a positive expression of NY-ESO-1": both must hold
            why = f"profile reports {positive[0]}; {missing.upper()} not in the profile"
            return Judgement(UNKNOWN, why, f"{missing.upper()} status")
        return Judgement(MET, f"profile reports {positive[0]}")
    if (
        negative
        and not positive
        and re.search(
            (
                r"\bmust\b|\brequired\b|\bharbor|\bdocumented\b"
                r"|\bpositive\b|\bwith (?:an? )?[^.;]{0,40}\b"
                r"(?:fusion|mutation|alteration|rearrangement)"
            ),
            crit.norm,
        )
    ):
        return Judgement(NOT_MET, f"requires {label}; profile reports {negative[0]}")
    return Judgement(
        UNKNOWN,
        f"requires {label}; not in the profile",
        f"{label} alteration (required; not in profile)",
    )


# --- disease setting ----------------------------------------------------------------------------

_RELAPSE = re.compile(
    r"\brelaps|\brecurr|\brefractor|\bprogress(?:ed|ive|ion|ing)\b|\bresistant\b"
    r"|\bnot responded|\bfailed\b|\bfailure\b|\bpersistent\b"
)
# "untreated" alone is not enough: "untreated brain metastases" is about metastases
_NEW = re.compile(
    r"(?<!not )\bnewly diagnosed|\bnew (?:histolog\w* |patholog\w* )?diagnosis\b"
    r"|\bpreviously untreated|\buntreated (?:disease|sarcoma|tumou?r|patient)"
    r"|\bfront ?line|\bfirst line\b"
    r"|\bde novo\b|\bno prior (?:systemic |anti ?cancer |cancer directed )?(?:therapy"
    r"|treatment|chemotherapy)"
)
_CURATIVE = re.compile(
    r"\bno (?:known |standard |available |effective )*(?:curative|standard|effective)"
    r"|\bcurative (?:therapy|treatment|option)|\bstandard (?:of care )?(?:therapy"
    r"|treatment)s? (?:is|are|does|do) not|\bfor which (?:no|there is no)"
)
_FIRST_RELAPSE = re.compile(r"\bfirst (?:relapse|recurrence|progression)")
_LATER_RELAPSE = re.compile(
    r"\bsecond (?:or (?:later|greater|subsequent) )?(?:relapse|recurrence)|\b(?:2"
    r"|two) or more (?:relapses|recurrences)"
)
_WORDS = {
    "recurrent": re.compile(r"\brelaps|\brecurr"),
    "progressive": re.compile(r"\bprogress"),
    "refractory": re.compile(
        r"\brefractor|\bresistant\b|\bnot responded|\bfailed\b|\bfailure\b|\bpersistent\b"
    ),
}


def prep_disease_setting(crit_text: str, norm: str, section: str) -> Any:
    # the response to prior therapy (issue 9) last: parsed.py reads the first two on titles
    response = judge_response.prep_response(norm) if section == "inclusion" else None
    return (
        bool(_RELAPSE.search(norm)),
        bool(_NEW.search(norm)),
        bool(_CURATIVE.search(norm)),
        bool(_FIRST_RELAPSE.search(norm)),
        bool(_LATER_RELAPSE.search(norm)),
        frozenset(k for k, p in _WORDS.items() if p.search(norm)),
        bool(_RECEIVED_STANDARD.search(norm)),
        # "Subject in good health.", "Healthy adults under age 60": written for healthy people
        section == "inclusion"
        and cues.search("healthy_participant", norm) is not None
        and cues.search("healthy_qualified", norm) is None,
        response,
    )


# "either 1) a biopsy-proven new diagnosis ... or 2) ...": enumerated alternatives
_ENUMERATED_ALTERNATIVES = re.compile(r"\beither\b|\bor\s+\(?(?:\d|[ivx]{1,3}|[a-d])\)")
# an exclusion of the tumors that do not fit the trial's own list
_NOT_FITTING = re.compile(
    r"\b(?:that|which|who) (?:do|does|did) not (?:fit|meet|match|qualify|belong)|\bnot (?:fitting|"
    r"meeting) the (?:definition|criteria)|\bnot (?:considered|eligible) for this (?:study|trial|"
    r"registry)"
)
# "relapsed after standard chemotherapy", "progressed following prior systemic therapy": the
# relapse must follow that treatment
_AFTER_THERAPY = re.compile(
    r"\b(?:after|following|despite|on)\s+(?:at least (?:one|1) (?:line of )?)?(?:standard |prior |"
    r"previous |conventional |front ?line |first line |initial |multi ?agent |systemic )*"
    r"(?P<what>chemotherapy|systemic therapy|systemic treatment)\b"
)
_AFTER_CATEGORIES = {
    "chemotherapy": frozenset({"chemotherapy"}),
    "systemic therapy": frozenset({"chemotherapy", "targeted", "immunotherapy"}),
    "systemic treatment": frozenset({"chemotherapy", "targeted", "immunotherapy"}),
}
# "Subjects who have received prior standard therapy ..., or who have no satisfactory
# alternative treatments": the first alternative is read from the treatment history
_RECEIVED_STANDARD = re.compile(
    r"\b(?:received (?:prior )?|prior (?:receipt of )?)standard (?:of care )?(?:therapy|treatment)"
    r"[^.;]{0,100}\bor\b"
)
_SYSTEMIC = frozenset({"chemotherapy", "targeted", "immunotherapy"})
# an exclusion that is nothing but a disease course ("Recurrent disease", "Relapsed or refractory
# sarcoma"); the words map to the profile's disease_status values
_COURSE = {"recurrent": "recurrent", "relapsed": "recurrent", "recurred": "recurrent",
           "progressive": "progressive", "progressed": "progressive",
           "refractory": "refractory"}  # fmt: skip
# ... also with its subject ("Patients with recurrent disease") or as a clause ("Disease that
# has recurred")
_BARE_COURSE = re.compile(
    r"^(?:(?:patients|participants|subjects) with )?(?:(?:recurrent|relapsed|progressive|"
    r"refractory)(?: (?:or|and) (?:recurrent|relapsed|progressive|refractory))? (?:disease|"
    r"tumou?rs?|sarcomas?|cancer)|(?:disease|tumou?r|sarcoma|cancer) that (?:has|have) "
    r"(?:recurred|relapsed|progressed))\W*$"
)


def judge_disease_setting(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    """The disease course, then (issue 9) the response to the therapy a rule names ("prior
    progression on a PD-1 inhibitor"), read from best_response in judge_response."""
    *course, response = spec
    base = _judge_course(course, crit, facts)
    if response is None:
        # the course alone never establishes the response to the last line (cues.json
        # requirement "last_line", which this judge reads only through best_response)
        return judge_response.last_line_unread(base, crit)
    named = judge_therapy.named_therapies(crit.norm, facts)
    return judge_response.combine(response, base, named, crit)


def _judge_course(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    relapse, new, curative, first, later, statuses, received_standard, healthy = spec
    if healthy:
        return Judgement(
            NOT_MET,
            f"written for healthy participants; patient has {facts.status} tumour disease",
            rule="healthy_only",
        )
    if received_standard and crit.section == "inclusion":
        had = [t for t in facts.therapies if t.category in _SYSTEMIC]
        if had:
            names = ", ".join(sorted({t.agent or t.category or "therapy" for t in had}))
            return Judgement(MET, f"has received prior systemic therapy ({names})")
    status = facts.status
    if crit.section == "exclusion":
        if new and not relapse:
            return Judgement(MET, f"patient has {status} disease, not newly diagnosed")
        bare = _BARE_COURSE.match(crit.norm)
        # a progressive or refractory disease after a counted relapse is also a recurrent one
        courses = {status} | ({"recurrent"} if (facts.relapse_number or 0) >= 1 else set())
        hit = (
            courses & {_COURSE[w] for w in bare.group(0).split() if w in _COURSE} if bare else set()
        )
        if hit:
            # "Recurrent disease" alone under the exclusions: the patient's own disease course
            course = sorted(hit)[0]
            return Judgement(NOT_MET, f"excludes {course} disease; patient has {course} disease")
        return Judgement(
            UNKNOWN, "exclusion concerns the disease course", f"disease course: {crit.text[:100]}"
        )
    if new and not relapse and _ENUMERATED_ALTERNATIVES.search(crit.norm):
        # "either 1) a biopsy-proven new diagnosis ... or 2) a lesion suspicious for metastatic
        # UPS": newness is one alternative, the other is not read here
        return Judgement(
            UNKNOWN,
            "new diagnosis is one of the alternatives; the other is not established",
            f"disease setting: {crit.text[:100]}",
        )
    if new and not relapse:
        return Judgement(
            NOT_MET,
            f"limited to newly diagnosed/previously untr"
            f"eated disease; patient has {status} disease",
            handled=True,
        )
    if first or later:
        n = facts.relapse_number
        if n is None:
            return Judgement(UNKNOWN, "relapse number not given", "number of relapses")
        ok = (first and n == 1) or (later and n >= 2)
        return Judgement(
            MET if ok else NOT_MET,
            f"relapse number {n}; criterion asks for {'first' if first else 'second or later'}"
            f" relapse",
        )
    if curative:
        return Judgement(
            UNKNOWN,
            "requires that no standard curative therapy exists",
            "no standard curative option remains (board judgement)",
        )
    if relapse:
        accepts = (
            status in statuses
            or (status == "recurrent" and "progressive" in statuses)
            or (status == "progressive" and "recurrent" in statuses)
            # a patient with a counted relapse has relapsed disease, whatever its course now
            or ((facts.relapse_number or 0) >= 1 and "recurrent" in statuses)
        )
        if accepts:
            after = _AFTER_THERAPY.search(crit.norm)
            if after and not any(
                t.category in _AFTER_CATEGORIES[after.group("what")] for t in facts.therapies
            ):
                # "Relapsed disease after standard chemotherapy" for a patient whose listed
                # treatments were surgery and radiation: the relapse fits, the "after" is open
                why = f"{status} disease fits, but no prior {after.group('what')} is listed"
                return Judgement(UNKNOWN, why, f"relapse after {after.group('what')}")
            relapsed = (
                f"relapse {facts.relapse_number}, now {status}" if facts.relapse_number else ""
            )
            shown = relapsed if status not in statuses and relapsed else f"{status} disease"
            return Judgement(MET, f"{shown} fits ({', '.join(sorted(statuses))})")
        return Judgement(
            UNKNOWN,
            f"criterion names {', '.join(sorted(statuses))}; patient has {status} disease",
            f"disease is {'/'.join(sorted(statuses))}",
        )
    return Judgement(UNKNOWN, "disease setting not read", f"disease setting: {crit.text[:100]}")
