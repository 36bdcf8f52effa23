"""Rules that need the whole trial, applied after each criterion is judged on its own.

- Per-tumor cohorts: when a trial names the patient's own tumor (or several inclusion criteria
  each require a different tumor), a criterion requiring another tumor is one cohort's rule, so
  its not_met becomes unknown.
- Every part excludes: when a limit is written once per part/cohort ("> 2 years ... (Part 1)",
  "> 2 years ... (Part 2b)") each is softened to unknown on its own; if every such criterion of
  the kind excludes the patient, the trial does, and they are restored to not_met.
"""

from __future__ import annotations

from matcher.domain.eligibility.base import NOT_MET, UNKNOWN, Criterion, Facts, Judgement
from matcher.domain.eligibility.judges import Judged

GENERIC = frozenset(
    {"neoplasm", "solid_tumor", "sarcoma", "soft_tissue_tumor", "sts", "bone_sarcoma"}
)


def apply(
    criteria: tuple[Criterion, ...], judged: list[Judged], concepts: tuple[str, ...], facts: Facts
) -> list[Judged]:
    out = judged
    diag_fails = [
        i for i, (c, j) in enumerate(zip(criteria, judged, strict=True))
        if c.section == "inclusion" and j.kind == "diagnosis" and j.judgement.verdict == NOT_MET
        and j.guard != "alternative"  # the group decides (verdict.decide)
    ]  # fmt: skip
    if diag_fails:
        names_patient = any(c in facts.concept_ids and c not in GENERIC for c in concepts)
        distinct = len({judged[i].judgement.reason for i in diag_fails}) > 1
        if names_patient or distinct:
            out = list(out)
            why = (
                f"another cohort names {facts.diagnosis}"
                if names_patient
                else "each cohort requires a different tumor"
            )
            for i in diag_fails:
                raw = out[i].judgement
                soft = Judgement(
                    UNKNOWN, f"{raw.reason} — {why}", raw.verify or criteria[i].text[:120]
                )
                out[i] = Judged("diagnosis", soft, "part", raw)
    by_kind: dict[str, list[int]] = {}
    for i, (c, j) in enumerate(zip(criteria, out, strict=True)):
        if c.section == "inclusion" and j.guard == "part":
            by_kind.setdefault(j.kind, []).append(i)
    for kind, idxs in by_kind.items():
        if kind == "diagnosis" or len(idxs) < 2:
            continue
        others = [
            j for c, j in zip(criteria, out, strict=True)
            if c.section == "inclusion" and j.kind == kind and j.guard != "part"
        ]  # fmt: skip
        if others:
            continue
        raws = [out[i].raw for i in idxs]
        if all(r is not None and r.verdict == NOT_MET for r in raws):
            out = list(out)
            for i, part_raw in zip(idxs, raws, strict=True):
                reason = f"{part_raw.reason if part_raw else ''} (every part's limit excludes)"
                out[i] = Judged(kind, Judgement(NOT_MET, reason))
    return out
