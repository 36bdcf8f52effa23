"""Rules written for one group of patients: a sex, an age group, the newly diagnosed or those at
first recurrence, patients with CNS disease, with or without bone marrow disease ("For patients
with CNS tumors, ...", "Patients >= 16 years: ...", "Newly diagnosed patients must ...").

`group(norm)` names the group a criterion is for, or () when it is for everyone; judges.py
decides, from the profile, whether the patient is in it (not applicable when clearly not).
"""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.numbers import fold_ops
from matcher.domain.eligibility.text import in_brackets

_SEX_GROUP = re.compile(
    # "During the treatment period and for 4 months after, a male patient must agree ..."
    r"^\s*(?:(?:during|for|after|from|throughout|while|until|before)\b[^,;.]{0,100},\s*)?"
    # "If male, agrees to use barrier contraception ...": the same group as a condition
    r"(?:for |in |if (?:(?:the )?(?:patient|participant|subject) is )?)?"
    r"(?:(?:a|an|all|sexually active|post ?pubertal|adolescent|adult) )?"
    r"(?P<sex>female|male|women|men|girls|boys)\b(?! or )(?! and )"
)
# "Participants < 12 months of age must ...": an age group as a sentence's subject, asked
# something else (classifier._AGE_SCOPE, judge_person._GROUP_SUBJECT); the verbs and the
# lookahead that keeps "must be < 18 years" an age limit follow at each use
AGE_GROUP_SUBJECT = (
    r"(?:participants|patients|subjects|children|infants|those)\s+(?:aged?\s+)?"
    # ("Participants 12 to 17 years of age must weigh >= 40 kg": a range names a group too)
    r"(?:(?:<=|>=|<|>|≤|≥)\s*)?\d+(?:\s*(?:to|-|–)\s*(?:<\s*)?\d+)?\s*(?:years?|months?)"
    r"(?: of age| old)?\s+"
)
# the people an age group is ("the newborns and infants", "patients", "adolescents"): the nouns
# a clause naming whom a requirement is for opens with ("For infants < 12 months ...")
AGE_GROUP_NOUN = (
    r"(?:the )?(?:(?:newborns?|neonates?|infants?|toddlers?|babies|children|adolescents?|adults?|"
    r"patients?|subjects?|participants?|individuals?|those)(?: (?:and|or) (?=[a-z]))?)+"
)
NOT_AN_AGE_LIMIT = r"(?! be (?:<|>|≤|≥|at least|at most|younger|older))"
_AGE_GROUP = re.compile(
    # "Patients >= 18 years:", and as a label with a colon, "Age >= 18 years:" ("Age >= 5
    # years old, <= 18 years old" is an age range, not a group)
    r"^\s*(?:for |in )?(?:(?:patients|subjects|participants|children)\s+(?:aged?\s+)?|"
    r"(?=aged?\s+[^,:]*:)aged?\s+)"
    r"(?P<op>>=|<=|>|<)\s*(?P<n>\d+)\s*(?P<unit>years?|months?)(?: of age| old)?\s*[:,]"
    # "Patients < 3 years of age, and any older patient unable to lie still, must ...": the
    # rule reaches beyond the age group
    r"(?!\s*(?:and|or) (?:any|all|other|older|younger)\b)"
)


# "Patients aged 12 to 17 years: serum creatinine <= ...": a group by an age range; "12 to < 16
# years:" (a table row's label, the subject left out) ends its range below the number
_AGE_RANGE_GROUP = re.compile(
    r"^\s*(?:for |in )?(?:(?:patients|subjects|participants|children)\s+(?:aged?\s+)?(?:from\s+)?"
    r"|(?=[^,:]*:)(?:aged?\s+)?)"
    r"(?P<lo>\d+)(?:\s*(?:to|-|–|through)\s*|\s+)(?P<below>(?:<=|≤|<)\s*)?(?P<hi>\d+)\s*"
    r"(?P<unit>years?|months?)(?: of age| old)?\s*[:,]"
)
# ">= 18 years: <= 1.5 x ULN": a table row's one-sided age label (a colon, no subject)
_AGE_BARE_LABEL = re.compile(
    r"^\s*(?P<op>>=|<=|>|<)\s*(?P<n>\d+)\s*(?P<unit>years?|months?)(?: of age| old)?\s*:"
)


# "Karnofsky performance status (PS) 50-100% (> 16 years of age)": the group in a closing bracket
_AGE_GROUP_AFTER = re.compile(
    r"\((?:for |in )?(?:patients |subjects |participants |children |those )?\s*(?:aged? )?\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<n>\d+)\s*(?P<unit>years?|months?)(?: of age| old)?\)\s*$"
)


# "For Group 1 Patients (newly diagnosed disease) only: ...": a rule for newly diagnosed patients
_NEW_GROUP = re.compile(
    r"^(?:only )?(?:for|in) [^:;.]{0,60}\bnewly diagnosed\b[^:;.]{0,40}:|"
    # "... (applies to Group 1 patients [newly diagnosed disease] only)" closing the rule
    r"^.*\((?:this )?(?:applies |only )?(?:to |for |in )[^()]{0,60}\bnewly diagnosed\b[^()]{0,40}"
    r"\bonly\)\W*$|"
    # "For patients with newly diagnosed, not previously treated UPS, tumor must be ..."
    r"^(?:for|in) (?:patients|subjects|participants) with newly diagnosed\b[^:;.]{0,60},|"
    r"^(?:patients|subjects|participants) with newly diagnosed\b[^.;]*\b(?:will|are|may) also be "
    r"eligible\b|"
    # "Patients with newly diagnosed disease must have completed ...", "Newly diagnosed patients
    # must be receiving ...": what the newly diagnosed group must meet
    r"^(?:patients|subjects|participants) with newly diagnosed (?:(?!or |and )[a-z]+ ){0,3}?"
    r"(?:must|should|"
    r"need|will need)\b|"
    r"^newly diagnosed (?:patients|subjects|participants) (?:must|should|need|will need)\b|"
    r"^(?:(?:for|in) )?newly diagnosed (?:patients|subjects|participants)\s*[,:]|"
    # "Group 1 patients (newly diagnosed disease) only: ..."
    r"^[^:;.]{0,60}\bnewly diagnosed\b[^:;.]{0,40}\bonly\s*:"
)


# "Patients at time of 1st recurrence must have completed ...": what the first-recurrence group
# must meet (a patient at a later relapse is not in it)
_FIRST_RECURRENCE_GROUP = re.compile(
    r"^(?:for )?(?:patients|subjects|participants) (?:at (?:the )?time of|at|in) (?:their )?"
    r"(?:1st|first) (?:recurrence|relapse)\b(?:(?!\b(?:or|and)\b)[^.;]){0,20}"
    r"\b(?:must|should|will|need)"
)


# "For patients with CNS tumors or CNS metastasis, there must be ...": a rule for patients with
# CNS disease only
_CNS_GROUP = re.compile(
    r"^(?:(?:for|in) )?(?:patients|participants|subjects) with (?:known )?(?:primary )?"
    r"(?:cns|brain|central nervous system) (?:tumou?rs?|metastas[ie]s|disease|involvement|lesions?)"
    r"(?: or (?:known )?(?:cns|brain) (?:tumou?rs?|metastas[ie]s|disease|involvement|lesions?))?"
    # ("Patients with known brain metastases, unless ...": the exclusion itself, not a group)
    r"\s*(?:[,:](?!\s*(?:unless|except|other than|if)\b)"
    r"|(?=\s+(?:must|should|need|are required)\b))"
)


# "PATIENTS WITH SOLID TUMORS WITHOUT KNOWN BONE MARROW INVOLVEMENT: ANC >= 1000/uL" and
# "Patients with known bone marrow metastatic disease will be eligible ... provided ...": the
# cooperative-group blood-count rules are written for one of the two groups
_MARROW_GROUP = re.compile(
    r"^(?:for |in )?(?:patients?|subjects?|participants?)?\s*"
    r"(?:with (?:solid |non ?cns |extracranial )?(?:tumou?rs?|malignanc\w*|cancers?)\s+)?"
    r"(?P<how>without|with no|with|who have|who do not have)\s+(?:known |documented |"
    r"evidence of |histologically documented |(?:a )?history of )?(?:bone )?marrow "
    r"(?:involvement|metastas[ie]s|metastatic disease|disease|infiltration)\b"
)


def marrow_group(norm: str) -> tuple[Any, ...]:
    """("marrow", True) for a rule written for patients with bone marrow disease, ("marrow",
    False) for one written for patients without it, else ()."""
    found = _MARROW_GROUP.match(norm)
    if found is None:
        return ()
    return ("marrow", found.group("how") in {"with", "who have"})


# "Karnofsky PS of 50-100% for patients > 16 years of age": the group closing the rule
_AGE_GROUP_TRAILING = re.compile(
    r"\b(?:for|in) (?:patients|subjects|participants|children|those)\s*(?:aged? )?\s*"
    r"(?P<op>>=|<=|>|<)\s*(?P<n>\d+)\s*(?P<unit>years?|months?)(?: of age| old)?\W*$"
)
_AGE_BOUND = re.compile(r"(?:>=|<=|>|<)\s*\d+\s*(?:years?|months?)")
# "... in adult subjects (age >= 18 years)": the bracket defines whom the rule asks for
_DEFINES_WHOM = re.compile(
    r"\b(?:adults?|children|adolescents?|pediatric|paediatric|patients|subjects|participants|"
    r"women|men)\s*$"
)


def _age_after(folded: str) -> re.Match[str] | None:
    bounds = len(_AGE_BOUND.findall(folded))
    if bounds > 1:
        # "ECOG 0 or 1 (patients >= 16 years); Lansky >= 70 (patients < 16 years)": a value for
        # each group, not a rule for the last one
        return None
    found = _AGE_GROUP_AFTER.search(folded)
    if found is None and bounds == 1:
        # ... unbracketed only when it is the rule's one age ("Use Karnofsky for patients > 16
        # years of age and Lansky for patients <= 16 years" picks a scale for each group)
        found = _AGE_GROUP_TRAILING.search(folded)
    if found is None or _DEFINES_WHOM.search(folded[: found.start()]):
        return None
    if in_brackets(folded, found.start()):
        # "... less than 100 cm of small intestine (less than 75 cm for patients younger than
        # 10 years of age)": the group picks a bracket's other value, the rule is everyone's
        return None
    return found


def group(norm: str) -> tuple[Any, ...]:
    """("sex", "female"|"male"), ("age", op, value, months per unit), ("age_range", from, to,
    months per unit, "<=" when `to` is included or "<"), ("setting", ...),
    ("cns",), ("marrow", involved) or ("participant", who) (participant_group): a rule for
    one group."""
    marrow = marrow_group(norm)
    if marrow:
        return marrow
    sex = _SEX_GROUP.match(norm)
    if sex is not None:
        word = sex.group("sex")
        return ("sex", "female" if word in {"female", "women", "girls"} else "male")
    if _NEW_GROUP.match(norm):
        return ("setting", "newly diagnosed")
    if _FIRST_RECURRENCE_GROUP.match(norm):
        return ("setting", "first recurrence")
    if _CNS_GROUP.match(norm):
        return ("cns",)
    timed = "year" in norm or "month" in norm  # an age group names its unit
    if not timed and norm.lstrip().startswith("age"):
        # "Age >= 18: serum creatinine <= 1.5 x ULN": a label, its unit years by default
        label = _AGE_LABEL.match(fold_ops(norm))
        if label is not None:
            return ("age", label.group("op"), float(label.group("n")), 12.0)
    if not timed:
        return ()
    one = _age_group(norm)
    if one:
        return one
    return _age_groups(norm)


# "Family caregiver participants:", "Donor Eligibility:", "For parent participants:": a heading
# over the rules for someone other than the patient (a dyad's caregiver, a stem-cell donor). The
# nouns are data (cue list other_participant); these are the three places they are read in
_WHO = cues.cue("other_participant").pattern
_OTHER_PARTICIPANT = re.compile(  # a whole heading ("Sibling donor eligibility criteria:")
    rf"^\s*(?:for (?:the )?)?(?:{_WHO})(?: \([^)]*\))?(?: participants?| subjects?| cohort| group|"
    rf" arm| eligibility| inclusion| exclusion)?(?: criteria)?(?: \([^)]*\))?\s*:?\s*$"
)
_ENDS_WITH_PARTICIPANT = re.compile(  # the last heading of a criterion's context
    rf"(?:^|[.:;]\s*|\bfor (?:the )?)(?:{_WHO})(?: (?:participants?|subjects?|cohort|group|arm))?"
    rf"\s*:\s*$"
)
_OPENS_WITH_PARTICIPANT = re.compile(  # a section line ("Living donor exclusion criteria:")
    rf"^\s*(?:[*\-•·]\s*)?(?:\w+ )?(?:{_WHO})\b", re.IGNORECASE
)


def participant_group(heading: str) -> tuple[Any, ...]:
    """("participant", who) when a heading introduces rules for someone other than the patient,
    else ()."""
    found = _OTHER_PARTICIPANT.match(heading.lower())
    return ("participant", _who(found.group(0))) if found is not None else ()


def participant_under(context: str) -> str | None:
    """Who the last heading of a criterion's context sets rules for when that is someone other
    than the patient ("... For parent participants:" -> "parent"), else None."""
    if not context.rstrip().endswith(":"):
        return None
    found = _ENDS_WITH_PARTICIPANT.search(context.lower())
    return _who(found.group(0)) if found is not None else None


def _who(words: str) -> str:
    noun = _NOUN.search(words.lower())
    named = noun.group(0) if noun is not None else words.lower()
    for who in ("donor", "caregiver", "care giver", "parent"):
        if who in named:
            return who.replace(" ", "")
    return named


_NOUN = re.compile(rf"\b(?:{_WHO})\b")


def participant_section(line: str) -> bool:
    """True when a section heading line opens with other participants ("Donor Eligibility:",
    "Caregiver Exclusion Criteria:"): the section's rules are theirs."""
    return _OPENS_WITH_PARTICIPANT.match(line) is not None


def opens_with_label(norm: str) -> bool:
    """True when an age group opens the rule as a label ending in a colon ("Patients >= 18
    years: systolic BP >= 140 mmHg", "12 to < 16 years: Lansky >= 70"): the label says whom the
    rule is for, what follows is the rule (so an age limit is not read into it)."""
    folded = fold_ops(norm)
    for pattern, text in ((_AGE_RANGE_GROUP, norm), (_AGE_GROUP, folded),
                          (_AGE_BARE_LABEL, folded), (_AGE_LABEL, folded)):  # fmt: skip
        found = pattern.match(text)
        if found is not None:
            return found.group(0).rstrip().endswith(":")
    return False


def _age_group(norm: str) -> tuple[Any, ...]:
    """The age group a rule opens (or closes) with, or ()."""
    span = _AGE_RANGE_GROUP.match(norm)  # unfolded: "aged 12 to 17" is no ">= 12"
    if span is not None:
        per = 1.0 if span.group("unit").startswith("month") else 12.0
        below = "<" if (span.group("below") or "").strip() == "<" else "<="
        return ("age_range", float(span.group("lo")), float(span.group("hi")), per, below)
    folded = fold_ops(norm)
    age = _AGE_GROUP.match(folded) or _AGE_BARE_LABEL.match(folded) or _age_after(folded)
    if age is not None:
        per = 1.0 if age.group("unit").startswith("month") else 12.0
        return ("age", age.group("op"), float(age.group("n")), per)
    return ()


_AGE_LABEL = re.compile(r"^\s*age\s*(?P<op>>=|<=|>|<)\s*(?P<n>\d+)\s*:")
_SENTENCE = re.compile(r"(?<=\.)\s+(?=[a-z])")


def _age_groups(norm: str) -> tuple[Any, ...]:
    """("age_groups", (group, ...)) for a rule written as one sentence per age group after at
    most a short label ("Pre-anesthesia assessment. Patients >= 18 years: ASA I-III. Patients
    10-17 years: cleared by ..."): a patient in none of the groups is asked nothing."""
    sentences = _SENTENCE.split(norm.strip())
    if len(sentences) < 2:
        return ()
    groups = [_age_group(s) for s in sentences]
    label = sentences[0] if not groups[0] else ""
    if label and (len(label.split()) > 4 or any(ch.isdigit() for ch in label)):
        return ()
    found = tuple(g for g in groups if g)
    if len(found) < 2 or len(found) != len(sentences) - (1 if label else 0):
        return ()
    return ("age_groups", found)
