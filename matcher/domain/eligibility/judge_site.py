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
from matcher.domain.eligibility.scope import marrow_group

_BONE_ONLY = r"\b(?:disease|tumou?rs?|metastas[ie]s|lesions?) (?:limited|confined|restricted) to (?:the )?bones?\b|\bbone only (?:disease|metasta)"  # noqa: E501
_EXTRAPULMONARY = r"\bextra ?pulmonary (?P<meta>metasta\w*|disease|lesions?|sites?)"
# an exclusion that opens with the patients who have lung lesions ("Patients with pulmonary
# metastatic lesions that would require anatomic resection ..."): the details are the rule's
_PULMONARY = r"^(?:patients? |participants? |subjects? )?with (?:known )?pulmonary (?:metastatic )?(?:lesions?|metastas[ie]s|nodules?)\b"  # noqa: E501
_ISOLATED_LUNG = (
    r"\bisolated (?:pulmonary|lung) (?:metasta\w*|disease|lesions?|nodules?|recurrence)"
)
# "at least one site of measurable disease involving lung or soft tissue"
_INVOLVING = r"\b(?:disease|lesions?|sites?) involving (?:the )?(?P<where>(?:lungs?|soft tissues?|bones?|liver)(?:(?:,| or| and| and or) (?:the )?(?:lungs?|soft tissues?|bones?|liver))*)"  # noqa: E501
# "Bone marrow involvement" (an exclusion), "subjects with bone marrow involvement are NOT
# eligible": marrow disease, one of the recurrence sites a board lists
_MARROW = r"\b(?:bone )?marrow (?:involvement|metasta\w*|disease|infiltration)\b"
_MARROW_NEGATED = re.compile(
    r"\b(?:no|without|absence of|free of)\b[^.;]{0,30}\bmarrow\b|\bmarrow[^.;]{0,40}\b(?:are|is|"
    r"will be) (?:not eligible|ineligible|excluded)"
)
SITE = re.compile(
    f"{_BONE_ONLY}|{_EXTRAPULMONARY}|{_PULMONARY}|{_ISOLATED_LUNG}|{_INVOLVING}|{_MARROW}"
)
_NEGATED = re.compile(r"^(?:no|without|absence of)\b")
_BEYOND_LUNG = frozenset({"regional_nodes", "bone", "bone_marrow", "cns", "other_distant"})
_OUTSIDE_BONE = frozenset({"pulmonary", "regional_nodes", "cns", "other_distant"})
_NEITHER = frozenset({"bone", "bone_marrow", "cns"})  # neither lung nor soft tissue


def prep_site(crit_text: str, norm: str, section: str) -> Any:
    """(what, negated, counts_local): which site rule, whether the text asks for its absence,
    and whether a local recurrence counts (not for "extrapulmonary metastatic disease")."""
    if re.search(_BONE_ONLY, norm):
        return ("bone_only", bool(_NEGATED.search(norm)), True)
    involving = re.search(_INVOLVING, norm)
    if involving is not None:
        named = frozenset(re.findall(r"lung|soft tissue|bone|liver", involving.group("where")))
        return ("involving", named, False)
    if re.search(_MARROW, norm) and not marrow_group(norm):
        # (a rule written *for* patients with or without marrow disease is a group: scope.py)
        return ("marrow", bool(_MARROW_NEGATED.search(norm)), False)
    if re.search(_ISOLATED_LUNG, norm):
        return ("isolated_lung", bool(_NEGATED.search(norm)), False)
    extra = re.search(_EXTRAPULMONARY, norm)
    if extra is not None:
        return ("extrapulmonary", bool(_NEGATED.search(norm)), "metasta" not in extra.group("meta"))
    if re.search(_PULMONARY, norm):
        return ("pulmonary", False, False)
    return None  # only a marrow group matched: no site rule (classifier.py drops the kind)


def judge_site(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    what, negated, counts_local = spec
    sites = facts.recurrence_sites
    verify = f"disease sites: {crit.text[:100]}"
    if not sites:
        return Judgement(UNKNOWN, "recurrence sites not given", verify)
    listed = ", ".join(sorted(sites))
    if what == "pulmonary":
        if crit.section != "exclusion":
            return Judgement(UNKNOWN, "pulmonary lesion rule not read", verify)
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
        soft = bool(sites & _OUTSIDE_BONE) or (
            "local" in sites and "sts" in facts.concept_ids
        )  # a soft tissue sarcoma's local recurrence is in soft tissue
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
    soft = {"regional_nodes"} | ({"local"} if "sts" in facts.concept_ids else set())
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
