"""Whether a criterion is a rule at all (profile-independent reading, once per criterion at
parse time): a text that asks nothing of the patient — a heading, a list introduction, a
permissive note ("any number of prior regimens allowed"), a definition, a consent, assent or
contraception formality — is "not_applicable" for everyone (`notice`). Whom a rule is for is
scope.py's question.
"""

from __future__ import annotations

import re

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.base import MET, NOT_APPLICABLE, Judgement
from matcher.domain.eligibility.groups import participant_under
from matcher.domain.eligibility.scope import DIGIT, INTRODUCES, VERBISH, requires, tumor_heading

_HEADING = re.compile(r"^[^.;:]{2,90}:\s*$")
_PROCEDURAL = re.compile(
    r"^(?:prior to|before|after|following|at the time of|at (?:the )?completion of|during)\s+"
    r"(?:the\s+)?[a-z -]*\b(?:placement|surgery|resection|procedure|enrol+ment|registration|"
    r"randomi[sz]ation|treatment|therapy|infusion|apheresis|biopsy|transplant)\s*:?$"
)
_CONDITIONS_FOLLOW = re.compile(r"\b(?:provided|if|as long as|only when)\b[^.;]{0,60}:\s*$")
# "... any of the following will be excluded.": the sentence ends where its list would begin
_ENDS_INTRODUCING = re.compile(r"\bof the following(?:\s+[a-z]+){0,8}\W*$")
_MUST = re.compile(r"\bmust\b|\bshould\b|\brequired\b|\bexclud")
_DEFINES = re.compile(r"\b(?:is|are) defined as\b[^.;]*:?\s*$|\bdefinitions?\b[^.;]*:\s*$")
# "Subgroup B", "Low-risk group", "Cohort 2": a label over the criteria that follow it
_COHORT_LABEL = re.compile(
    r"^[a-z ]{0,40}\bcriteria\s*:?$|"
    # "Inclusion criteria specific to the disease", "Criteria for inclusion"
    r"^[a-z ]{0,25}\bcriteria (?:specific to|for) (?:the )?[a-z ]{2,30}:?$|"
    r"^(?:sub ?)?(?:group|cohort|part|arm|stratum|strata)\s+[a-z0-9]{1,3}\s*:?$|"
    r"^[a-z ]{2,30}\b(?:group|cohort|arm|stratum)\s*:?$"
)


def notice(
    text: str,
    normed: str,
    kinds: tuple[str, ...],
    context: str = "",
    *,
    heads: bool = False,
    section: str = "inclusion",
    notes: bool = False,
) -> Judgement | None:
    """The "does not apply" reading of a criterion that asks nothing of the patient, else None.
    `context` is the normalised parent heading ("metastatic disease is defined as ...:")."""
    if context and childbearing_definition(normed, context):
        return CHILDBEARING_DEFINITION
    if (
        context
        and section == "exclusion"
        and cues.search("exclusion_permission", context)
        and _CONDITIONS_FOLLOW.search(context)
    ):
        # "Patients with eczema ... are eligible for the study provided all of following
        # conditions are met:" in the exclusions: its items are the allowance's conditions
        return Judgement(
            NOT_APPLICABLE,
            "a condition of an allowance in the exclusions (who may still enrol): excludes no one",
            rule="allowance_condition",
        )
    who = participant_under(context) if context else None
    if who is not None and who != "donor":  # a donor's rules: judges.other_participant
        # "For parent participants:" over its items: rules for the patient's parents, caregivers
        # or donors, not for the patient (who is the one being matched)
        return Judgement(
            NOT_APPLICABLE, f"rule for the {who}, not the patient", rule="other_participant"
        )
    if context and _DEFINES.search(context) and not _MUST.search(normed):
        return Judgement(
            NOT_APPLICABLE, "part of a definition used by other criteria", rule="definition"
        )
    # "Mesothelioma" over three criteria of its own (`heads`): a section heading
    # an item over its own sub-items with no verb of its own ("Mesothelioma", "Prior to
    # intraperitoneal catheter placement") is a section heading
    # ... and so is a sentence naming nothing but a tumor ("The subject shall have mesothelioma.")
    bare = len(text) <= 60 and not VERBISH.search(text)
    label = heads and (bare or bool(tumor_heading(text)))
    # ... also when its items follow as separate bullets ("Patients who fall under any of the
    # following will be excluded."): a short sentence that asks nothing else
    introduces = heads or (
        kinds == ("other",) and len(normed) <= 120 and _ENDS_INTRODUCING.search(normed) is not None
    )
    if introduces and INTRODUCES.search(normed):
        # "Patients with adequate organ function meeting all of the following." over its items:
        # a list introduction, whose items are the rules
        return Judgement(
            NOT_APPLICABLE, "a list introduction: its items are the rules", rule="heading"
        )
    # "Prior to intraperitoneal catheter placement" (in a flattened list its sub-items are not
    # seen as children): a procedural time heading with no verb of its own
    label = label or (
        len(text) <= 60 and _PROCEDURAL.match(normed) is not None and not VERBISH.search(text)
    )
    # "Ability to take the study drug:" whose items were kept as its notes ("[oral solution
    # for ... | capsules for ...]"): the notes are the rule, the text is no mere heading (a
    # tumor's heading stays one: "Non-Hodgkin lymphoma patients: [no wait is required ...]")
    plain = _HEADING.match(text) and (not notes or tumor_heading(text))
    heading = (plain or label) and not DIGIT.search(text)
    if (heading or _COHORT_LABEL.match(normed)) and not requires(normed):
        return Judgement(NOT_APPLICABLE, "heading, not a criterion", rule="heading")
    if kinds == ("other",) and cues.search("cross_reference", normed):
        return Judgement(
            NOT_APPLICABLE,
            "points to criteria written elsewhere (a list introduction)",
            rule="heading",
        )
    if cues.search("definition", normed) and (
        not requires(_strip_definition(normed))
        # "A regimen is one or more agents ... . Substitution ... does not constitute a new
        # regimen.": every sentence defines
        or all(cues.search("definition", part) for part in re.split(r"(?<=[.;])\s+", normed))
    ):
        return Judgement(NOT_APPLICABLE, "definition used by other criteria", rule="definition")
    if cues.search("formality_lead", normed):
        formal = True
    elif kinds == ("other",) and cues.search("formality_alternative", normed):
        formal = True  # "a central line in place or acceptance to have it placed"
    elif kinds == ("other",):
        formality = cues.search("formality", normed) is not None
        # "consent for pre-screening given before consent for treatment" orders two consents;
        # it is no time window counted from consent
        material = cues.cue("consent_order").sub(" consent ", normed)
        formal = (
            formality
            and cues.cue("formality_not").search(material) is None
            and cues.search("investigator_judgement", normed) is None
        )
    else:
        formal = _contraception_rule(normed, kinds)
    if formal:
        contraception = _contraception_rule(normed, kinds)
        what = "contraception agreement" if contraception else "consent/cooperation"
        return Judgement(
            NOT_APPLICABLE, f"formality ({what}), obtained at enrolment", rule="formality"
        )
    if (
        section == "exclusion"
        # the permission is the rule's first sentence ("Patients with progression on X are
        # not eligible. Patients who had X without progression are eligible" is an exclusion)
        and cues.search("exclusion_permission", _FIRST_SENTENCE.split(normed, 1)[0])
        and not cues.search("exception", normed)
        and not re.search(r"\b(?:not|no|never|ineligible|excluded)\b", normed)
    ):
        # "Patients with controlled Type 1 diabetes ... are eligible for the study." under the
        # exclusions: says who may enrol, excludes nobody
        return Judgement(NOT_APPLICABLE, "permissive note: says who remains eligible", rule="note")
    if section == "inclusion" and kinds == ("other",) and cues.search("extra_route", normed):
        return Judgement(
            NOT_APPLICABLE, "permissive note: names one more group who may enrol", rule="note"
        )
    if cues.search("procedure_instruction", normed):
        return Judgement(
            NOT_APPLICABLE, "an instruction for the team, done at enrolment", rule="procedure"
        )
    if cues.search("site_logistics", normed):
        return Judgement(
            NOT_APPLICABLE, "where a group may enrol: the centre's question", rule="logistics"
        )
    if section == "inclusion" and not context and cues.search("universal", normed):
        return Judgement(MET, "every patient meets it", rule="universal")
    if _permissive(normed, section):
        return Judgement(NOT_APPLICABLE, "permissive note: allows, requires nothing", rule="note")
    return None


def _permissive(normed: str, section: str) -> bool:
    """A note that allows and asks nothing ("any number of prior regimens allowed"; in the
    inclusions "measurable or non-measurable disease", which in the exclusions names any kind of
    what is excluded: "gastrointestinal or non-gastrointestinal fistula")."""
    lists = ("permissive_note", "either_kind") if section == "inclusion" else ("permissive_note",)
    if not any(cues.search(name, normed) for name in lists):
        return False
    rest = normed
    for name in lists:
        rest = cues.cue(name).sub(" ", rest)
    # "Prior chemotherapy for the current sarcoma. Prior treatment for other cancers is
    # permitted.": a later sentence's allowance qualifies the rule the first one states; so
    # does one in brackets ("hormonal therapy (topical vaginal estrogen is permitted)")
    main = _main_clause(normed)
    return not requires(rest) and any(cues.search(name, main) for name in lists)


def childbearing_definition(normed: str, context: str) -> bool:
    """ "Postmenopausal (no menses ...)" after "... women of childbearing potential ... unless
    ... one of the following:": who the contraception rule covers, part of a formality."""
    found = cues.search("reproductive_status", normed)
    if found is None or not cues.search("childbearing_context", context):
        return False
    # a childbearing rule of its own ("pregnancy test for females of childbearing potential
    # (defined as not postmenopausal ...)") names a status only inside its own definition
    return found.start() < 20 or cues.search("childbearing_context", normed) is None


CHILDBEARING_DEFINITION = Judgement(
    NOT_APPLICABLE,
    "part of the definition of childbearing potential (a contraception formality)",
    rule="definition",
)


_BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_FIRST_SENTENCE = re.compile(r"(?<=[a-z0-9)\]])[.;]\s+(?=[a-z])")


def _main_clause(normed: str) -> str:
    """The first sentence without brackets, exceptions or references to other rules: where a
    permissive note states its permission ("Chemotherapy within 14 days, except permitted
    concurrent agents listed above" excludes; its permission is the exception's)."""
    first = _BRACKETED.sub(" ", _FIRST_SENTENCE.split(normed, 1)[0])
    spared = cues.search("exception", first)
    if spared is not None and spared.start() > 0:
        first = first[: spared.start()]
    return _AS_ALLOWED.sub(" ", first)


# "other than nodes as allowed above": a reference to another rule's permission
_AS_ALLOWED = re.compile(r"\bas (?:allowed|permitted)\b(?: (?:above|below|in \w+(?: \w+)?))?")


def _strip_definition(norm: str) -> str:
    return re.sub(r"\bdefined as\b.*$|\b(?:is|are) considered (?:to be )?.*$", "", norm)


def _contraception_rule(normed: str, kinds: tuple[str, ...]) -> bool:
    """A contraception agreement, also when its later sentences (how long, what counts as
    adequate: "a failure rate of < 1% per year") bring other words: every sentence about it."""
    if kinds == ("pregnancy",):
        return _contraception_only(normed)
    sentences = [x for x in re.split(r"(?<=\.)\s+", normed) if x.strip()]
    return (
        kinds[:1] == ("pregnancy",)
        and _contraception_only(normed)
        and all(_CONTRACEPTION_WORDS.search(x) for x in sentences)
    )


# what to do if a patient becomes pregnant on study belongs to the contraception rule
_CONTRACEPTION_WORDS = re.compile(
    r"\bcontracept|\babstinen|\bbirth control|\bsteriliz|\bbecomes? pregnant|\bsuspects? pregnan"
)
_ON_STUDY_PREGNANCY = re.compile(r"\b(?:becomes?|becoming) pregnant\b|\bsuspects? pregnan\w*")


def _contraception_only(norm: str) -> bool:
    if not cues.cue("contraception").search(norm):
        return False
    # "agree to use contraception" asks for an agreement; a pregnancy test or lactation is a fact
    return not re.search(
        r"\bpregnan\w* test|\blactat|\bbreast ?feed|\bnursing\b|\bpregnant\b",
        _ON_STUDY_PREGNANCY.sub(" ", norm),
    )
