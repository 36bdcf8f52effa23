"""Judge for where the disease is: bone-only disease, isolated lung disease, extrapulmonary disease
and pulmonary lesions, read from the recurrence sites the board lists (ProfileIn.recurrence_sites).

The board lists every site of the current disease, so a site it does not list is taken as free of
disease (the same reading as judge_tumor.judge_metastatic). What the sites cannot tell (how many
nodules, whether a lesion is central or resectable) stays unknown.
"""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Criterion, Facts, Judgement

_BONE_ONLY = r"\b(?:disease|tumou?rs?|metastas[ie]s|lesions?) (?:limited|confined|restricted) to (?:the )?bones?\b|\bbone only (?:disease|metasta)"  # noqa: E501
_EXTRAPULMONARY = r"\bextra ?pulmonary (?P<meta>metasta\w*|disease|lesions?|sites?)"
# an exclusion that opens with the patients who have lung lesions ("Patients with pulmonary
# metastatic lesions that would require anatomic resection ..."): the details are the rule's
# (any subject or none: "Pulmonary metastatic lesions that would ...", "Any patient with lung ...")
_PULMONARY = r"^(?:(?:any |all )?(?:patients? |participants? |subjects? )?(?:with |who have |having )(?:either of the following: )?)?(?:known )?(?:pulmonary|lung) (?:metastatic )?(?:lesions?|metastas[ie]s|nodules?)\b"  # noqa: E501
_ISOLATED_LUNG = (
    r"\bisolated (?:pulmonary|lung) (?:metasta\w*|disease|lesions?|nodules?|recurrence)"
)
# "at least one site of measurable disease involving lung or soft tissue": an inclusion about
# where the disease is, its list of sites closed (not "lung, bone, bone marrow, or other site")
_INVOLVING = r"\b(?:(?:disease|lesions?|sites?) involving|(?:lesions?|sites?) (?:in|located in)) (?:the |either )?(?P<where>(?:lungs?|soft tissues?|bones?|liver)(?:(?:,| or| and| and or) (?:the )?(?:lungs?|soft tissues?|bones?|liver))*)"  # noqa: E501
_LIST_CLOSED = re.compile(
    r"\s*,?\s*(?:$|[.;(]|as\b|by\b|on\b|documented\b|seen\b|that\b|which\b|(?:is|are) "
    r"(?:required|needed|mandatory)\b)"
)
_NOT_WHERE = re.compile(r"\bradiat|\birradiat|\bnot (?:be )?considered|\bprior\b|\bsurgery\b")
# "Bone marrow involvement" as the whole exclusion, or "subjects with bone marrow involvement are
# NOT eligible": marrow disease as the rule's subject (one of the recurrence sites a board lists);
# a marrow mention inside another rule ("ANC >= 750 (>= 500 if bone marrow involvement)") is not
_MARROW = r"\b(?:bone )?marrow (?:involvement|metasta\w*|disease|infiltration)\b"
_MARROW_SUBJECT = re.compile(
    r"^(?:known |evidence of |presence of |active |any )?(?:bone )?marrow (?:involvement|"
    r"metasta\w*|disease|infiltration)\W*$"
)
_MARROW_BARRED = re.compile(
    r"\b(?:patients|subjects|participants) with (?:known )?(?:bone )?marrow (?:involvement|"
    r"metasta\w*|disease|infiltration) (?:are|is|will be) (?:not eligible|ineligible|excluded)"
)
SITE = re.compile(
    f"{_BONE_ONLY}|{_EXTRAPULMONARY}|{_PULMONARY}|{_ISOLATED_LUNG}|{_INVOLVING}|{_MARROW}"
)
_NEGATED = re.compile(r"^(?:no|without|absence of)\b")
# a negation elsewhere in the sentence ("must not have ...", "... are not eligible"): the
# direction is not the plain one, so the rule is left unread rather than read backwards
_NEGATION_ELSEWHERE = re.compile(
    r"\b(?:no|not|without|never|absence|free of|ineligible|excluded|except)\b"
)
_BEYOND_LUNG = frozenset({"regional_nodes", "bone", "bone_marrow", "cns", "other_distant"})
_OUTSIDE_BONE = frozenset({"pulmonary", "regional_nodes", "cns", "other_distant"})
_NEITHER = frozenset({"bone", "bone_marrow", "cns"})  # neither lung nor soft tissue


def prep_site(crit_text: str, norm: str, section: str) -> Any:
    """(what, negated, counts_local): which site rule, whether the text asks for its absence,
    and whether a local recurrence counts (not for "extrapulmonary metastatic disease"); for
    "involving", the named sites instead of `negated`. None when no site rule is read here (the
    classifier then drops the kind)."""
    if _MARROW_SUBJECT.match(norm):
        return ("marrow", False, False)
    if _MARROW_BARRED.search(norm) and section == "inclusion":
        return ("marrow", True, False)
    if re.search(_BONE_ONLY, norm):
        return _plain("bone_only", norm, True)
    involving = re.search(_INVOLVING, norm)
    if involving is not None:
        closed = _LIST_CLOSED.match(norm[involving.end() :]) is not None
        if section != "inclusion" or not closed or _NOT_WHERE.search(norm):
            return None
        named = frozenset(re.findall(r"lung|soft tissue|bone|liver", involving.group("where")))
        return ("involving", named, False)
    if re.search(_ISOLATED_LUNG, norm):
        return _plain("isolated_lung", norm, False)
    extra = re.search(_EXTRAPULMONARY, norm)
    if extra is not None:
        return _plain("extrapulmonary", norm, "metasta" not in extra.group("meta"))
    if re.search(_PULMONARY, norm) and section == "exclusion":
        return ("pulmonary", False, False)
    return None


def _plain(what: str, norm: str, counts_local: bool) -> Any:
    """The rule when its direction is plain: asked for as written, or denied by an opening "No" /
    "Without"; None when a negation stands elsewhere in it."""
    opening = _NEGATED.match(norm)
    rest = norm[opening.end() :] if opening else norm
    if _NEGATION_ELSEWHERE.search(rest):
        return None
    return (what, opening is not None, counts_local)


def judge_site(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    what, negated, counts_local = spec
    sites = facts.recurrence_sites
    verify = f"disease sites: {crit.text[:100]}"
    if not sites:
        return Judgement(UNKNOWN, "recurrence sites not given", verify)
    listed = ", ".join(sorted(sites))
    if what == "pulmonary":  # an exclusion (prep_site reads no other)
        if "pulmonary" in sites:
            return Judgement(
                UNKNOWN, f"pulmonary disease listed ({listed}); details decide", verify
            )
        return Judgement(MET, f"no pulmonary disease among the recurrence sites ({listed})")
    if what == "involving":
        return _judge_involving(negated, facts, listed, verify)
    if what == "marrow":
        present = "bone_marrow" in sites
        shown = "bone marrow disease listed" if present else f"no bone marrow disease ({listed})"
    elif what == "isolated_lung":
        present = sites == {"pulmonary"}
        shown = (
            "disease in the lungs only" if present else f"disease not only in the lungs ({listed})"
        )
    elif what == "extrapulmonary":
        beyond = sites & (_BEYOND_LUNG | ({"local"} if counts_local else set()))
        present = bool(beyond)
        shown = (
            f"disease outside the lungs ({', '.join(sorted(beyond))})"
            if present
            else (f"no disease outside the lungs ({listed})")
        )
    else:
        soft = bool(sites & (_OUTSIDE_BONE | _local_soft_tissue(facts)))
        if not soft and not sites <= {"bone"}:
            return Judgement(UNKNOWN, f"whether the disease is limited to bone ({listed})", verify)
        present = not soft  # "bone-only disease" is the condition the text names
        shown = "disease limited to bone" if present else f"disease outside bone ({listed})"
    # the condition holds: an inclusion asking for it is met, an exclusion of it is not met
    wanted = (crit.section == "inclusion") != negated
    return Judgement(MET if present == wanted else NOT_MET, shown)


def _judge_involving(named: frozenset[str], facts: Facts, listed: str, verify: str) -> Judgement:
    """Disease involving the named sites: met when every recurrence site is one of them (then
    the disease, measurable or not, is there); otherwise the board says where it is measured."""
    soft = {"regional_nodes"} | _local_soft_tissue(facts)
    covered = (
        ({"pulmonary"} if "lung" in named else set())
        | (soft if "soft tissue" in named else set())
        | ({"bone"} if "bone" in named else set())
    )
    if facts.recurrence_sites <= covered:
        return Judgement(
            MET, f"every recurrence site ({listed}) is in {' or '.join(sorted(named))}"
        )
    if not facts.recurrence_sites & covered and facts.recurrence_sites <= _NEITHER:
        # bone, marrow and brain only: none of it is lung or soft tissue
        return Judgement(NOT_MET, f"no disease in {' or '.join(sorted(named))} ({listed})")
    return Judgement(UNKNOWN, f"disease at {listed}; where it is measured is not recorded", verify)


def _local_soft_tissue(facts: Facts) -> frozenset[str]:
    """{"local"} when a local recurrence is in soft tissue (a soft tissue sarcoma's is), else {}."""
    return frozenset({"local"}) if "sts" in facts.concept_ids else frozenset()
