"""Whom a criterion is for (profile-independent reading, once per criterion at parse time;
whether it is a rule at all is notices.py's question):

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
from matcher.domain.eligibility.text import clause_end, norm

DIGIT = re.compile(r"\d")


def requires(norm: str) -> bool:
    """Whether the text names a requirement (the "requirement" cue list)."""
    return cues.cue("requirement").search(norm) is not None


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


_POSSESSIVE = re.compile(r"^(?:(?:their|his|her|its|the|your|or) )+")
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
        whose = _POSSESSIVE.sub("", norm(possessive.group("who"))) if possessive else ""
        # ... the disease right after it ("of the skin or carcinoma in situ" names a site)
        named = vocabulary.find_concepts(whose) if vocabulary.find_concepts_at(whose) == 0 else []
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
    if len(text) > 60 or DIGIT.search(text) or requires(norm(text)) or VERBISH.search(text):
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
    if counted or requires(norm(label)) or VERBISH.search(label):
        return ()
    if cues.search("topic_label", label.lower()):
        return ()  # "CNS disease: patients with known CNS metastases ...": a topic, not whom
    return tuple(c for c in vocabulary.find_concepts(label) if c not in vocabulary.GENERIC_TUMORS)


_LABEL = re.compile(r"^\s*([^:;.()]{2,60}):\s+\S")


# a disease heading written as a sentence ("Patients with osteosarcoma:", "The subject shall have
# mesothelioma.", "Has osteosarcoma"): the frame around the tumor's name
_HEADING_FRAME = re.compile(
    r"^\s*(?:(?:the |all )?(?:subjects?|patients?|participants?)\s+(?:with|who have|(?:must|shall"
    r"|should) have)|has|have)\s+(?:an? )?(?=[a-z])|[.:]?\s*$",
    re.IGNORECASE,
)


INTRODUCES = re.compile(r"\b(?:all|each|both|one|any|either|at least one) of the following\b")
VERBISH = re.compile(r"\b(?:who|with|have|has|had|must|should|are|is|will)\b", re.IGNORECASE)


# "(corticosteroids not included)", "(topical steroids allowed)": an aside that sets something
# aside names no requirement
_ASIDE = re.compile(
    r"\((?=[^()]*\b(?:not included|not including|not counted|excluded|allowed|permitted|"
    r"acceptable|except|other than|excluding|"
    # "(post-menarchal, or >= 12 years of age if menarchal status is unknown)": who is of
    # childbearing potential, not an age the rule asks for
    r"menarch\w*|menopaus\w*|sterile|sterili[sz]ed)\b)[^()]*\)"
    # "(<= 5 x ULN for cases with liver metastasis)": another limit for some patients, which
    # the labs judge weighs itself (lab_reading._conditional_limits)
    r"|\((?=[^()]*(?:<=|>=|<|>|≤|≥)\s*\d)(?=[^()]*\b(?:if|when|for (?:patients|subjects|"
    r"participants|cases|those|children|adults)|in (?:patients|subjects|participants|cases))\b)"
    r"[^()]*\)"
    # "(required only for patients with prior anthracycline exposure or known cardiac disease)":
    # whom the rule is for, no requirement of its own
    r"|\((?=\s*(?:required|needed|applies|applicable|only)\b[^()]*\b(?:only )?(?:for|to) "
    r"(?:patients|subjects|participants|those|children|adults)\b)[^()]*\)"
)


def terms(norm: str) -> tuple[str, ...]:
    """Ids of the requirement terms the criterion names (data/cues.json "requirements"), asides
    that set something aside left out."""
    norm = _ASIDE.sub(" ", norm) if "(" in norm else norm
    # "EWSR1- or FUS-rearranged round cell sarcoma" names a histology, not a test to establish
    norm = cues.cue("gene_named_tumor").sub(" ", norm)
    norm = cues.without_rationale(norm)
    # "Known CNS metastases, unless ... not requiring corticosteroids": what the exception asks
    # spares a patient the rule excludes; it is no requirement of a patient the rule leaves out
    norm = (
        _without_exceptions(norm)
        if "unless" in norm or "except" in norm or "eligible" in norm
        else norm
    )
    return tuple(t.id for t in cues.terms() if t.search(norm))


# ("patients with known CNS metastases are eligible only if ...": the conditions of an allowance
# for patients with something, like an exception's)
_UNLESS = re.compile(
    r"\b(?:unless|except|(?<=\bwith )[^.;]{1,60}?\b(?:are|is) eligible (?:only )?(?:if|provided))\b"
)


def _without_exceptions(norm: str) -> str:
    """The text without its "unless"/"except" clauses, each to the end of its bracket ("(except
    vitiligo) or hepatitis B") or else of its sentence."""
    while (found := _UNLESS.search(norm)) is not None:
        norm = f"{norm[: found.start()]} {norm[clause_end(norm, found.start()) :]}"
    return norm
