"""Whom a criterion is for, and whether it is a rule at all (profile-independent reading).

Read once per criterion at parse time (parsed._criterion):

- `notice`: a text that asks nothing of the patient — a heading, a permissive note ("any number
  of prior regimens allowed"), a definition, a consent/assent/contraception formality — is
  "not_applicable" for everyone.
- `tumor_scope`: the tumors a rule is written for ("For patients with Ewing sarcoma, ...",
  "Non-Hodgkin lymphoma patients: ...") or, negated, the tumors it is *not* for ("For tumors other
  than DSRCT, 8H9 reactivity must be confirmed" applies to every tumor but DSRCT).
- the group a rule is for (a sex, an age group, the newly diagnosed, CNS or marrow disease) is
  read in groups.py.
- `terms`: the requirement terms (data/cues.json) the text names; a criterion is met only when each
  one is established by a judge that ran (judges.judge_criterion).
"""

from __future__ import annotations

import re

from matcher.domain.eligibility import cues, vocabulary
from matcher.domain.eligibility.base import MET, NOT_APPLICABLE, Judgement
from matcher.domain.eligibility.text import norm

_HEADING = re.compile(r"^[^.;:]{2,90}:\s*$")
_DIGIT = re.compile(r"\d")
_PROCEDURAL = re.compile(
    r"^(?:prior to|before|after|following|at the time of|at (?:the )?completion of|during)\s+"
    r"(?:the\s+)?[a-z -]*\b(?:placement|surgery|resection|procedure|enrol+ment|registration|"
    r"randomi[sz]ation|treatment|therapy|infusion|apheresis|biopsy|transplant)\s*:?$"
)
_CONDITIONS_FOLLOW = re.compile(r"\b(?:provided|if|as long as|only when)\b[^.;]{0,60}:\s*$")
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
    if context and cues.search("other_participant_heading", context):
        # "For parent participants:" over its items: rules for the patient's parents, caregivers
        # or donors, not for the patient (who is the one being matched)
        return Judgement(
            NOT_APPLICABLE,
            "a rule for other participants (parents, caregivers, donors, controls), "
            "not the patient",
            rule="other_participant",
        )
    if context and _DEFINES.search(context) and not _MUST.search(normed):
        return Judgement(
            NOT_APPLICABLE, "part of a definition used by other criteria", rule="definition"
        )
    # "Mesothelioma" over three criteria of its own (`heads`): a section heading
    # an item over its own sub-items with no verb of its own ("Mesothelioma", "Prior to
    # intraperitoneal catheter placement") is a section heading
    # ... and so is a sentence naming nothing but a tumor ("The subject shall have mesothelioma.")
    bare = len(text) <= 60 and not _VERBISH.search(text)
    label = heads and (bare or bool(tumor_heading(text)))
    if heads and _INTRODUCES.search(normed):
        # "Patients with adequate organ function meeting all of the following." over its items:
        # a list introduction, whose items are the rules
        return Judgement(
            NOT_APPLICABLE, "a list introduction: its items are the rules", rule="heading"
        )
    # "Prior to intraperitoneal catheter placement" (in a flattened list its sub-items are not
    # seen as children): a procedural time heading with no verb of its own
    label = label or (
        len(text) <= 60 and _PROCEDURAL.match(normed) is not None and not _VERBISH.search(text)
    )
    heading = (_HEADING.match(text) or label) and not _DIGIT.search(text)
    if (heading or _COHORT_LABEL.match(normed)) and not _requires(normed):
        return Judgement(NOT_APPLICABLE, "heading, not a criterion", rule="heading")
    if kinds == ("other",) and cues.search("cross_reference", normed):
        return Judgement(
            NOT_APPLICABLE,
            "points to criteria written elsewhere (a list introduction)",
            rule="heading",
        )
    if cues.search("definition", normed) and not _requires(_strip_definition(normed)):
        return Judgement(NOT_APPLICABLE, "definition used by other criteria", rule="definition")
    if cues.search("formality_lead", normed):
        formal = True
    elif kinds == ("other",):
        formality = cues.search("formality", normed) is not None
        formal = (
            formality
            and cues.cue("formality_not").search(normed) is None
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
    if (
        cues.search("permissive_note", normed)
        and not _requires(cues.cue("permissive_note").sub(" ", normed))
        # "Prior chemotherapy for the current sarcoma. Prior treatment for other cancers is
        # permitted.": a later sentence's allowance qualifies the rule the first one states; so
        # does one in brackets ("hormonal therapy (topical vaginal estrogen is permitted)")
        and cues.search("permissive_note", _main_clause(normed)) is not None
    ):
        return Judgement(NOT_APPLICABLE, "permissive note: allows, requires nothing", rule="note")
    return None


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


def _requires(norm: str) -> bool:
    return cues.cue("requirement").search(norm) is not None


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


_SCOPE = re.compile(
    r"^\s*(?:for |in )?(?:patients |subjects |participants )?(?:with )?(?P<who>[^:;,.()]{3,80}?)"
    r"\s*(?:patients|subjects|participants)?\s*[:,]"
)
_OBLIGATION = re.compile(
    r"\s+(?:must|should|need to|will need to)\b(?! have (?:a |an )?(?:histolog|cytolog|patholog"
    r"|diagnos|confirm|documented))"
)
_SUBJECT = re.compile(
    r"^\s*(?:patients|subjects|participants|children) with (?P<who>[^:;,.()]{3,80}?)"
    r"(?:\s*\([^()]{1,20}\))?\s+"
    r"(?:must|should|are|is|will|may|need|can|who)\b"
)


_TUMOR_SUBJECT = re.compile(
    r"^\s*(?:for |in )?(?P<who>[a-z][a-z ]{2,60}?) (?:participants|patients|subjects|cohort)\b"
    r"\s*(?:,|:|must|should|who|are|will|need|in whom)"
)


_THEIR = re.compile(
    r"\b(?:(?:for|of) (?:their|his|her|the)|"
    r"(?:therap(?:y|ies)|treatments?|tx|regimens?) for(?: the)?)"
    r" (?P<who>[a-z][a-z -]{2,40}?)\b"
    r"(?=[,.;:)]|$| including| since| and\b)"
)


_ANY_INDICATION = re.compile(
    r"\bfor any (?:other )?(?:indication|reason|condition|purpose|disease|cancer|malignancy)\b"
)
_TRAILING_SCOPE = re.compile(
    r"\b(?:(?:is|are) (?:only )?(?:required|needed|mandatory)|(?:this )?(?:applies|apply))\s+"
    r"(?:only\s+)?(?:for|in|to)\s+(?P<who>[^.;,()]{2,80}?)(?:\s+only)?\W*$|"
    r"\((?:only )?(?:for|in) (?P<who2>[^()]{2,60}?)(?: only)?\)\W*$|"
    # "MRI brain with and without contrast for alveolar soft part sarcoma and clear cell sarcoma"
    # (a short rule with no verb): the tumors it is for close it
    r"^(?![^.;]*\b(?:must|should|is|are|have|has|had|with a|diagnos\w*|confirmed)\b)"
    r"[^.;]{3,80}(?<!except )\bfor (?P<who3>(?![^.;]*\b(?:will|be|are|is|excluded|eligible|"
    r"allowed|permitted)\b)[a-z][^.;()]{3,80}?)\W*$"
)


def tumor_scope(text: str, kinds: tuple[str, ...]) -> tuple[tuple[str, ...], bool]:
    """(tumor concepts the rule is for, negated): negated means for every tumor *but* those."""
    lowered = text.lower()
    match = _SCOPE.match(lowered)
    who: str | None = None
    if match is not None:
        head = lowered[: match.end()]
        colon = head.rstrip().endswith(":") and re.search(r"patients|subjects|participants", head)
        leading_for = re.match(r"\s*(?:for|in) ", head) is not None
        if (colon or leading_for) and "metasta" not in head:
            who = match.group("who")
    if who is None and kinds and kinds[0] != "diagnosis":
        # "Patients with DSRCT are not required to have measurable disease": the tumor picks the
        # patients; in a diagnosis criterion the same words are the requirement itself
        subject = _SUBJECT.match(lowered)
        if subject is not None and "metasta" not in subject.group("who"):
            who = subject.group("who")
    if who is None and kinds and kinds[0] == "diagnosis" and len(kinds) > 1:
        # "Patients with tumors other than DSRCT without ...": a negated scope is never the
        # requirement itself; nor is "Patients with GBM ... must be at first or second
        # recurrence", whose requirement follows the verb
        subject = _SUBJECT.match(lowered)
        if subject is not None and (
            cues.cue("exception").search(subject.group("who"))
            or _OBLIGATION.match(lowered, subject.end("who"))
        ):
            who = subject.group("who")
    if who is None:
        # "Synovial sarcoma participants must have received ...": the tumor as the subject's
        # adjective names whom the rule is for (a generic "sarcoma patients" names everyone)
        adjective = _TUMOR_SUBJECT.match(lowered)
        tumors = vocabulary.find_concepts(norm(adjective.group("who"))) if adjective else []
        if adjective is not None and set(tumors) - vocabulary.GENERIC_TUMORS:
            who = adjective.group("who")
    if who is None:
        # "Disease progression on a PD-1 inhibitor is required for CM participants": the
        # patients named after the requirement, at its end
        trailing = _TRAILING_SCOPE.search(lowered)
        after = ""
        if trailing is not None:
            after = trailing.group("who") or trailing.group("who2") or ""
            bare = trailing.group("who3")
            named = vocabulary.find_concepts(norm(bare)) if bare else []
            if named and not set(named) <= vocabulary.GENERIC_TUMORS:
                after = bare  # a specific tumor: "... for osteosarcoma"
        if after and "metasta" not in after:
            who = after
    if who is None and not _ANY_INDICATION.search(lowered):
        # "any other systemic therapy for their melanoma", "... therapy for melanoma", "no
        # recurrence of the melanoma": the disease named after it says whose rule it is (not
        # when another part reaches everyone: "... or MEK + mTOR for any indication")
        possessive = _THEIR.search(lowered)
        named = vocabulary.find_concepts(norm(possessive.group("who"))) if possessive else []
        # only a specific disease scopes ("for their sarcoma" in a sarcoma trial is everyone's)
        if named and not set(named) & vocabulary.GENERIC_TUMORS and possessive is not None:
            who = possessive.group("who")
    if who is None:
        return (), False
    who = norm(who)
    concepts = tuple(vocabulary.find_concepts(who))
    if not concepts:
        return (), False
    first = vocabulary.find_concepts_at(who)
    negation = cues.cue("scope_negation").search(who[:first] if first is not None else who)
    return concepts, negation is not None


def tumor_heading(text: str) -> tuple[str, ...]:
    """The tumors a short section heading names ("Mesothelioma", "Osteosarcoma:", and as a
    sentence over its own items: "The subject shall have mesothelioma."), else ()."""
    framed = _HEADING_FRAME.sub("", text)
    if framed != text.strip().rstrip(".:").strip() and not vocabulary.is_name(framed):
        return ()  # a sentence is a heading only when it names nothing but the tumor
    text = framed
    if len(text) > 60 or _DIGIT.search(text) or _requires(norm(text)) or _VERBISH.search(text):
        return ()
    return tuple(c for c in vocabulary.find_concepts(text) if c not in vocabulary.GENERIC_TUMORS)


def tumor_label(text: str) -> tuple[str, ...]:
    """The tumors a label before a colon names, over a rule and its items ("NF1-associated
    MPNST: patients must meet the NF1 criteria ..., or 2 of the following:"), else ()."""
    found = _LABEL.match(text)
    if found is None:
        return ()
    label = found.group(1)
    # a number of its own is a count or a limit; one inside a name ("NF1") is not
    counted = re.search(r"(?<![a-z])\d", label.lower())
    if counted or _requires(norm(label)) or _VERBISH.search(label):
        return ()
    return tuple(c for c in vocabulary.find_concepts(label) if c not in vocabulary.GENERIC_TUMORS)


_LABEL = re.compile(r"^\s*([^:;.()]{2,60}):\s+\S")


# a disease heading written as a sentence ("Patients with osteosarcoma:", "The subject shall have
# mesothelioma.", "Has osteosarcoma"): the frame around the tumor's name
_HEADING_FRAME = re.compile(
    r"^\s*(?:(?:the |all )?(?:subjects?|patients?|participants?)\s+(?:with|who have|(?:must|shall"
    r"|should) have)|has|have)\s+(?:an? )?(?=[a-z])|[.:]?\s*$",
    re.IGNORECASE,
)


_INTRODUCES = re.compile(r"\b(?:all|each|both|one|any|either|at least one) of the following\b")
_VERBISH = re.compile(r"\b(?:who|with|have|has|had|must|should|are|is|will)\b", re.IGNORECASE)


# "(corticosteroids not included)", "(topical steroids allowed)": an aside that sets something
# aside names no requirement
_ASIDE = re.compile(
    r"\((?=[^()]*\b(?:not included|not including|not counted|excluded|allowed|permitted|"
    r"acceptable|except|other than|excluding|"
    # "(post-menarchal, or >= 12 years of age if menarchal status is unknown)": who is of
    # childbearing potential, not an age the rule asks for
    r"menarch\w*|menopaus\w*|sterile|sterili[sz]ed)\b)[^()]*\)"
)


def terms(norm: str) -> tuple[str, ...]:
    """Ids of the requirement terms the criterion names (data/cues.json "requirements"), asides
    that set something aside left out."""
    norm = _ASIDE.sub(" ", norm) if "(" in norm else norm
    norm = cues.without_rationale(norm)
    return tuple(t.id for t in cues.terms() if t.search(norm))
