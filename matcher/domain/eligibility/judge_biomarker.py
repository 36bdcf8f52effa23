"""Judge for biomarkers: the genes, fusions and markers a criterion names, read against the
profile's biomarker list (a gene named as required is met only by its alteration)."""

from __future__ import annotations

import re
from typing import Any

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.base import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)

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
