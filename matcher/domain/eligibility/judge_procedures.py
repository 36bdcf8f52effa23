"""Judges for treatment history beyond washouts: prior radiation (incl. a recurrence inside the
field, judge_field), stem-cell or organ transplant and amputation."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues, judge_field
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)

_FIELD = re.compile(
    r"\b(?:irradiated|radiation|radiotherapy) (?:field|port|site|volume)|\bpreviously irradiated\b"
)
_RAD_NEGATED = re.compile(
    r"\bno (?:prior |previous )?(?:radiat|radiotherap|irradiat)|"
    r"\bnot (?:have )?(?:received|had) (?:prior )?(?:radiat|radiotherap)"
)
# only a rule about radiation already given can exclude on history ("In the case radiation
# therapy is indicated ...", "requiring ultraviolet A radiation" are not)
_RAD_PRIOR = re.compile(
    r"\b(?:prior|previous(?:ly)?|received|history of|had|undergone)\b[^.;]{0,40}"
    r"\b(?:radiat|radiotherap|irradiat|xrt)"
)
_SIDE_TOPIC = re.compile(r"\btoxicit|\badverse event|\bultraviolet|\bpuva\b|\bpsoralen")


_TUMOR_SITE = re.compile(
    r"\b(?:to|at|of|involving) the (?:site|area|regio"
    r"n|field) of (?:the )?(?:sarcoma|tumou?r|disease|"
    r"primary|lesion)|\bre ?irradiation\b"
)
# the board's own words for a recurrence inside the radiation field
_IN_FIELD = re.compile(
    r"\b(?:in|inside|within) (?:the |this |prior )?(?:radiation |rt )?field|\bin field\b"
)


def prep_radiation(crit_text: str, norm: str, section: str) -> Any:
    about_prior = bool(_RAD_PRIOR.search(norm)) and not _SIDE_TOPIC.search(norm)
    field_rule, allowance = judge_field.prep_field(norm)
    return (
        bool(_TUMOR_SITE.search(norm)),
        bool(_FIELD.search(norm)),
        bool(_RAD_NEGATED.search(norm)),
        bool(cues.search("radiation_extent", norm)),
        cues.sites_named(norm),
        about_prior,
        field_rule,
        allowance,
        # "Prior cranial radiotherapy ... allowed provided normal hearing is documented": a
        # permission with a condition, for the patients who had that radiation
        bool(cues.search("permission", norm)) and bool(_PROVISO.search(norm)),
    )


_PROVISO = re.compile(r"\bprovided\b|\bas long as\b|\bonly if\b")


def judge_radiation(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    tumor_site, field, negated, extent, named_sites, about_prior, field_rule, allowance = spec[:8]
    in_field = facts.recurrence_in_radiation_field
    if spec[8] and named_sites and not field_rule and facts.therapies:
        rads_there = [
            t
            for t in facts.therapies
            if t.category == "radiation" and cues.sites_named((t.site or "").lower()) & named_sites
        ]
        named = ", ".join(sorted(named_sites))
        if not rads_there:
            return Judgement(
                NOT_APPLICABLE,
                f"an allowance, with a condition, for patients who had radiation to {named}; "
                "none is listed",
                rule="allowance",
            )
        return Judgement(
            UNKNOWN,
            f"had radiation to {named}; the allowance's condition is to be confirmed",
            f"condition of the allowance: {crit.text[:100]}",
        )
    excludes = crit.section == "exclusion" or negated
    if field_rule and allowance and not excludes and in_field is not False:
        # "A lesion in a previously irradiated field counts only if progression has been
        # documented after radiation": a recurrence is that progression, unless the field was
        # irradiated for this recurrence (radiation ended recently)
        settled = judge_field.recurrence_after_radiation(facts)
        if settled is not None:
            return settled
    if in_field is not None and (field_rule or (tumor_site and excludes)):
        return judge_field.judge_in_field(in_field, excludes, allowance)
    if not facts.therapies:
        return Judgement(
            UNKNOWN, "prior therapies not given", f"radiation history: {crit.text[:100]}"
        )
    rads = [t for t in facts.therapies if t.category == "radiation"]
    if not rads:
        return Judgement(
            UNKNOWN,
            "no prior radiation listed (unlisted radiation is not ruled out)",
            f"radiation history: {crit.text[:100]}",
            rule="unlisted",
        )
    where = ", ".join(sorted(t.site or "unspecified site" for t in rads))
    if tumor_site and (crit.section == "exclusion" or negated):
        return _judge_tumor_site(rads, where, facts)
    if field:
        distant = {"pulmonary", "bone", "bone_marrow", "cns", "other_distant"}
        distant_only = bool(facts.recurrence_sites) and facts.recurrence_sites <= distant
        lung = any(t.site and "lung" in cues.sites_named(t.site.lower()) for t in rads)
        if distant_only and not lung:
            reason = f"radiation to {where}; recurrence is distant, target likely outside the field"
            return Judgement(
                UNKNOWN, reason, "whether target lesions lie outside prior radiation fields"
            )
        reason = f"radiation to {where}; recurrence may lie inside the field"
        return Judgement(
            UNKNOWN, reason, "whether the recurrence lies inside a prior radiation field"
        )
    excluded = crit.section == "exclusion" or negated
    if excluded and about_prior and named_sites:
        # "Prior lung radiation": only radiation to that body site excludes
        sites = [cues.sites_named(t.site.lower()) if t.site else frozenset() for t in rads]
        if all(sites) and not any(s & named_sites for s in sites):
            # the listed radiation was elsewhere; radiation not listed is not ruled out (the
            # same convention as any unlisted treatment)
            return Judgement(
                UNKNOWN,
                f"listed radiation ({where}) was not to {', '.join(sorted(named_sites))}; "
                "unlisted radiation is not ruled out",
                f"radiation to {', '.join(sorted(named_sites))}",
                rule="unlisted",
            )
        if any(s & named_sites for s in sites) and not extent:
            return Judgement(NOT_MET, f"had radiation to {', '.join(sorted(named_sites))}")
        return Judgement(
            UNKNOWN, "radiation site matters here", f"radiation sites: {crit.text[:90]}"
        )
    if excluded and about_prior and not extent:
        return Judgement(NOT_MET, f"had radiation ({where}); criterion excludes prior radiation")
    return Judgement(UNKNOWN, "radiation history matters here", f"radiation: {crit.text[:100]}")


def _judge_tumor_site(rads: list[Any], where: str, facts: Facts) -> Judgement:
    """ "No radiotherapy to the site of the sarcoma": does the recurrence lie in a prior field?"""
    if "local" in facts.recurrence_sites:
        if any(t.site and _IN_FIELD.search(t.site.lower()) for t in rads):
            return Judgement(
                NOT_MET, f"local recurrence inside the prior radiation field ({where})"
            )
        return Judgement(
            UNKNOWN,
            f"local recurrence; prior radiation to {where}",
            "whether the recurrence lies inside a prior radiation field",
        )
    # only sites with a known place (lung, brain) can be outside a field; regional nodes, bone,
    # marrow or "other distant" may lie anywhere, the irradiated area included
    outside = judge_field.outside_every_field(facts, rads)
    if outside and set(outside) == set(facts.recurrence_sites):
        return Judgement(
            MET,
            f"recurrence ({', '.join(sorted(facts.recurrence_sites))}"
            f") is outside prior radiation ({where})",
        )
    sites = ", ".join(sorted(facts.recurrence_sites)) or "not recorded"
    return Judgement(
        UNKNOWN,
        f"prior radiation ({where}); whether the recurrence ({sites}) lies in its field is not "
        "recorded",
        "whether the current tumor site was irradiated",
    )


# Wording about the patient's *current* state (immunosuppression, GVHD) or a time window after
# the event: "had a transplant" alone cannot decide these (NCT04851119: "receiving cyclosporine,
# tacrolimus or other agents to prevent graft-versus-host disease post bone marrow transplant").
_CURRENT_OR_WINDOW = re.compile(
    r"\breceiving\b|\bcurrently\b|\bactive\b|\bongoing\b|graft[- ]?(?:versus|vs\.?)[- ]?host"
    r"|\bgvhd\b|\bimmunosuppress|\bwithin (?:the )?(?:last |past )?\d"
    r"|\b\d+ (?:days?|weeks?|months?)\b"
)
# Solid-organ transplants are not stem-cell transplants (NCT04851119: "prior solid organ
# transplantation"); the profile's categories have no solid-organ entry.
_SOLID_ORGAN = re.compile(r"\bsolid[- ]organ\b|\borgan transplant")
_MARROW = re.compile(r"\bstem[- ]cell|\bmarrow\b|\bhematopoietic|\bhaematopoietic|\bhsct\b|\bsct\b")


def prep_history(crit_text: str, norm: str, section: str) -> Any:
    allo = bool(re.search(r"\ballogene?ic|\ballo\b|\ballo ?h?sct\b", norm))  # "allogenic" too
    negated = bool(
        re.search(
            r"\bno (?:prior |previous )|\bnot (?:have )?(?:received|undergone|had)\b|\bwithout\b",
            norm,
        )
    )
    current_or_window = bool(_CURRENT_OR_WINDOW.search(norm))
    solid_only = bool(_SOLID_ORGAN.search(norm)) and not _MARROW.search(norm)
    return allo, negated, current_or_window, solid_only


def _judge_history(category: str, noun: str, spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    allo, negated, current_or_window, solid_only = spec
    if not facts.therapies:
        return Judgement(UNKNOWN, "prior therapies not given", f"{noun} history: {crit.text[:100]}")
    had = [t for t in facts.therapies if t.category == category]
    excluded = crit.section == "exclusion" or negated
    if not excluded:
        return Judgement(UNKNOWN, f"criterion about {noun}", f"{noun}: {crit.text[:100]}")
    if not had or (category == "stem_cell_transplant" and solid_only):
        return Judgement(
            UNKNOWN,
            f"no prior {noun} listed (an unlisted one is not ruled out)",
            f"{noun} history: {crit.text[:100]}",
            rule="unlisted",
        )
    if current_or_window:
        return Judgement(
            UNKNOWN,
            f"had {noun}; the criterion concerns current treatment or a time window",
            f"{noun}: {crit.text[:100]}",
        )
    if allo and not any(t.agent and "allo" in t.agent for t in had):
        if any(t.agent and "autolog" in t.agent for t in had):
            why = f"had an autologous {noun}; no allogeneic one listed (not ruled out)"
            return Judgement(UNKNOWN, why, f"no prior allogeneic {noun}", rule="unlisted")
        return Judgement(
            UNKNOWN, f"had {noun}; allogeneic or autologous not stated", f"type of prior {noun}"
        )
    return Judgement(NOT_MET, f"had {noun}; criterion excludes it")


def judge_transplant(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    return _judge_history("stem_cell_transplant", "stem cell transplant", spec, crit, facts)


def judge_amputation(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    return _judge_history("amputation", "amputation", spec, crit, facts)
