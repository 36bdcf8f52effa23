"""Rules that need the whole trial, applied after each criterion is judged on its own.

- Per-tumor cohorts: when a trial names the patient's own tumor (or several inclusion criteria
  each require a different tumor), a criterion requiring another tumor is one cohort's rule, so
  its not_met becomes unknown.
- Every part excludes: when a limit is written once per part/cohort ("> 2 years ... (Part 1)",
  "> 2 years ... (Part 2b)") each is softened to unknown on its own; if every such criterion of
  the kind excludes the patient, the trial does, and they are restored to not_met.
- The patient's own cancer as "another malignancy": a trial written for one disease (melanoma,
  lymphoma) that is not the patient's counts the patient's active sarcoma among "other
  malignancies" (readers do; NCT03934567 "malignancies other than follicular lymphoma"). Only
  when every disease the trial names is specific and none is the patient's, and the patient's
  tumor is malignant (a desmoid is not; an intermediate tumor such as IMT is not clearly one).
"""

from __future__ import annotations

import re

from matcher.domain.eligibility import vocabulary
from matcher.domain.eligibility.base import (
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.judges import Judged

_BROAD = frozenset({"neoplasm", "solid_tumor"})
GENERIC = frozenset(
    {"neoplasm", "solid_tumor", "sarcoma", "soft_tissue_tumor", "sts", "bone_sarcoma"}
)


def apply(
    criteria: tuple[Criterion, ...],
    judged: list[Judged],
    concepts: tuple[str, ...],
    facts: Facts,
    named: tuple[str, ...] = (),
) -> list[Judged]:
    """`concepts`: every tumor the trial names (title, conditions, diagnosis criteria); `named`:
    those of its title, conditions and keywords only (what the trial is for)."""
    for j in judged:
        if (
            j.guard == "part"
            or (j.kind == "diagnosis" and j.judgement.verdict == NOT_MET)
            or j.kind == "other_malignancy"
        ):
            break
    else:
        return judged  # most trials: nothing these rules act on (no per-run cost beyond a scan)
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
    out = _other_cohort_not_applicable(criteria, out, concepts, named, facts)
    out = _own_cancer_is_other(criteria, out, named, facts)
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


# an inclusion permission for past cancers: "another malignancy ... no evidence of disease for
# > 5 years ... eligible" — the patient's recurrent sarcoma is active, so it is not met
_DISEASE_FREE = re.compile(
    r"\bno (?:evidence of )?(?:active )?disease\b|\bdisease free\b|\bin remission"
)


def _in_family(concepts: tuple[str, ...], facts: Facts) -> bool:
    """True when a tumor the trial names shares a (not too broad) concept with the patient's
    tumor or with what a form of it may be classed under (a rhabdoid tumor of unrecorded site may
    be a soft tissue sarcoma: vocabulary.possible_forms)."""
    family = facts.concept_ids
    if facts.concept is not None:
        family = family | vocabulary.possible_forms(facts.concept)
    family = family - _BROAD
    return any(vocabulary.ancestors(c) & family for c in concepts)


def _own_cancer_is_other(
    criteria: tuple[Criterion, ...], judged: list[Judged], named: tuple[str, ...], facts: Facts
) -> list[Judged]:
    concepts = tuple(c for c in named if c != "carcinoma")  # a word in many titles, no disease
    # a desmoid is no malignancy, an intermediate tumor (IMT, DFSP) not clearly one
    malignant = facts.concept is not None and vocabulary.malignant(facts.concept) is True
    if (
        not malignant
        or not concepts
        or any(c in GENERIC for c in concepts)
        or any(c in facts.concept_ids for c in concepts)
        # a trial naming a tumor of the patient's family (synovial and MPNST for an epithelioid
        # sarcoma) may take other family members in a basket: their tumor is not "another"
        or _in_family(concepts, facts)
    ):
        return judged
    out = judged
    for i, (crit, j) in enumerate(zip(criteria, judged, strict=True)):
        if j.kind != "other_malignancy" or j.judgement.verdict == NOT_MET:
            continue
        if crit.section == "inclusion" and not _DISEASE_FREE.search(crit.norm):
            continue
        why = (
            f"the trial is for another disease, so the patient's active {facts.diagnosis} is "
            "itself another malignancy"
        )
        out = out if out is not judged else list(judged)
        out[i] = Judged("other_malignancy", Judgement(NOT_MET, why, rule="trial"))
    return out


def _other_cohort_not_applicable(
    criteria: tuple[Criterion, ...],
    judged: list[Judged],
    concepts: tuple[str, ...],
    named: tuple[str, ...],
    facts: Facts,
) -> list[Judged]:
    """A cohort's tumor rule ("COHORT A: infantile fibrosarcoma with an NTRK fusion") for a
    patient whom another cohort of the same trial takes (it names the patient's tumor or a broad
    group such as solid tumors) is not the patient's rule: not applicable, not a question. A
    patient no cohort names keeps the unknown (which cohort, if any, is the board's question)."""
    # the patient's own tumor named anywhere, or a broad group in the title/conditions (a broad
    # word inside a criterion, "sarcoma" of "synovial sarcoma", names no cohort)
    other_cohort = any(c in facts.concept_ids and c not in GENERIC for c in concepts) or any(
        c in facts.concept_ids for c in named
    )
    if facts.concept is None or not other_cohort:
        return judged
    out = judged
    for i, (crit, j) in enumerate(zip(criteria, judged, strict=True)):
        if (
            crit.section == "inclusion"
            and j.kind == "diagnosis"
            and j.guard == "part"
            and j.raw is not None
            and j.raw.verdict == NOT_MET
        ):
            why = f"{j.raw.reason} — a rule for another cohort; the trial names {facts.diagnosis}"
            out = out if out is not judged else list(judged)
            out[i] = Judged(
                "diagnosis", Judgement(NOT_APPLICABLE, why, rule="other_cohort"), "scope"
            )
    return out
