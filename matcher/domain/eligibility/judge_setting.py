"""Judge for the disease setting: relapsed, refractory, progressive or newly diagnosed, the
relapse number, curative options and the response to prior therapy (judge_response)."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, judge_response, judge_therapy
from matcher.domain.eligibility.base import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)

_RELAPSE = re.compile(
    r"\brelaps|\brecurr|\brefractor|\bprogress(?:ed|ive|ion|ing)\b|\bresistant\b"
    r"|\bnot responded|\bfailed\b|\bfailure\b|\bpersistent\b"
)
# "in the front-line setting", "candidates for first-line therapy": a newly diagnosed
# population; "frontline chemotherapy counts as a line", "after first-line therapy" describe a
# past line, not the setting (the classifier's disease_setting cue reads the same words)
FRONT_LINE_SETTING = (
    r"\b(?:front ?line|first line) (?:setting|patients|participants|disease)\b"
    r"|\b(?:candidates? for|eligible for|receiving|to receive|planned|planning|scheduled) "
    r"(?:to receive )?(?:standard )?(?:front ?line|first line)\b"
)
# "untreated" alone is not enough: "untreated brain metastases" is about metastases
_NEW = re.compile(
    r"(?<!not )\bnewly diagnosed|\bnew (?:histolog\w* |patholog\w* )?diagnosis\b"
    r"|\bpreviously untreated|\buntreated (?:disease|sarcoma|tumou?r|patient)|"
    + FRONT_LINE_SETTING
    + r"|\bde novo\b|\bno prior (?:systemic |anti ?cancer |cancer directed )?(?:therapy"
    r"|treatment|chemotherapy)"
)
_CURATIVE = re.compile(
    r"\bno (?:known |standard |available |effective )*(?:curative|standard|effective)"
    r"|\bcurative (?:therapy|treatment|option)|\bstandard (?:of care )?(?:therapy"
    r"|treatment)s? (?:is|are|does|do) not|\bfor which (?:no|there is no)"
)
# which relapse: "first relapse", "first or second relapse", "second or later relapse", "third
# or more relapse", "2 or more relapses" (relapse_numbers)
_CARDINALS = {
    **{w: i for i, w in enumerate(("one", "two", "three", "four"), 1)},
    **{str(i): i for i in range(1, 5)},
}
_NUMBER = {
    **{w: i for i, w in enumerate(("first", "second", "third", "fourth"), 1)},
    **{w: i for i, w in enumerate(("1st", "2nd", "3rd", "4th"), 1)},
    **_CARDINALS,
}
_OPEN = frozenset({"later", "greater", "subsequent", "more", "higher"})  # "second or later"
_ORDINAL = "(?:" + "|".join(_NUMBER) + ")"
_RELAPSE_NUMBER = re.compile(
    rf"\b(?P<a>{_ORDINAL})(?P<rest>(?:(?:,| or|, or| and/or| and or| to) "
    rf"(?:{_ORDINAL}|{'|'.join(sorted(_OPEN))}))*) (?P<what>relapses?|recurrences?|progressions?)\b"
)


def relapse_numbers(norm: str) -> tuple[int, float] | None:
    """The relapses a criterion names, as (lowest, highest): "first or second relapse" (1, 2),
    "second or later relapse" (2, inf), "first relapse" (1, 1); None when it names none. A
    cardinal needs "or more" ("2 or more relapses"); "first progression" counts as a relapse."""
    found = _RELAPSE_NUMBER.search(norm)
    if found is None:
        return None
    a = found.group("a")
    rest = found.group("rest").replace(",", " ").split()
    cardinal = a in _CARDINALS
    if cardinal and not _OPEN & set(rest):
        return None  # "one relapse", "2 recurrences": a count, not which relapse
    if found.group("what").startswith("progression") and a not in {"first", "1st"}:
        return None
    low = _NUMBER[a]
    if _OPEN & set(rest) or (not rest and low > 1):
        # "second or later relapse"; a bare "second relapse" read as at least the second
        return low, float("inf")
    named = [_NUMBER[w] for w in rest if w in _NUMBER]
    return low, float(max([low, *named]))


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
        # "..., unless there is no standard chemotherapy for the histology": a way around the
        # rule, not a requirement that no standard therapy exists
        bool(_CURATIVE.search(_UNLESS.split(norm, 1)[0])),
        relapse_numbers(norm),
        frozenset(k for k, p in _WORDS.items() if p.search(norm)),
        bool(_RECEIVED_STANDARD.search(norm)),
        # "Subject in good health.", "Healthy adults under age 60": written for healthy people
        section == "inclusion"
        and cues.search("healthy_participant", norm) is not None
        and cues.search("healthy_qualified", norm) is None,
        response,
    )


_UNLESS = re.compile(r"\bunless\b")
# "recurrence after achieving a complete or partial response": a relapse after a response
_AFTER_RESPONSE = re.compile(
    r"\b(?:complete|partial|objective) (?:response|remission)|\bresponded\b"
)
# "either 1) a biopsy-proven new diagnosis ... or 2) ...": enumerated alternatives
_ENUMERATED_ALTERNATIVES = re.compile(r"\beither\b|\bor\s+\(?(?:\d|[ivx]{1,3}|[a-d])\)")
# an exclusion of the tumors that do not fit the trial's own list
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
    relapse, new, curative, numbers, statuses, received_standard, healthy = spec
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
    if numbers is not None:
        n = facts.relapse_number
        if n is None:
            return Judgement(UNKNOWN, "relapse number not given", "number of relapses")
        low, high = numbers
        asked = (
            f"relapse {low}" if high == low
            else f"relapse {low} or later" if high == float("inf")
            else f"relapse {low} to {high:.0f}"
        )  # fmt: skip
        ok = low <= n <= high
        return Judgement(MET if ok else NOT_MET, f"relapse number {n}; criterion asks for {asked}")
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
            # refractory disease is disease that progressed on (or never answered) treatment;
            # not a relapse "after achieving a complete or partial response"
            or (
                status == "refractory"
                and "progressive" in statuses
                and not _AFTER_RESPONSE.search(crit.norm)
            )
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
