"""Why a trial ranks where it does: the parts of its score, each one a board can read.

Within a verdict tier the order is lexicographic, each part outweighing all that follow:
criteria read in the record (a record without criteria text never outranks a fully read trial),
targeted fit (the trial is written for the patient's own alteration or histology, or gives a drug
for it), fewer open questions, open to enrolment, nearness, phase. "Share of criteria met" is not
a part: it is highest when almost nothing was read. Knowledge (which concepts are too broad to be
a fit, which drug classes go with which alterations) is data: data/targets.json.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from matcher.domain.eligibility import drugs, vocabulary
from matcher.domain.eligibility.text import norm

_TIER: dict[str, float] = {"eligible": 2.0, "possibly_eligible": 1.0, "ineligible": 0.0}
# weights: each exceeds the sum of the ones after it (0.25 > 0.24, 0.5 > 0.49)
W_IN_RECORD, W_TARGETED, W_FEW_OPEN, W_OPEN, W_NEAR, W_PHASE = 0.5, 0.25, 0.12, 0.06, 0.04, 0.02
_NEGATIVE = re.compile(r"\b(?:negative|not detected|wild ?type|wt|absent|no|without)\b")


@dataclass(frozen=True)
class _Targets:
    generic: frozenset[str]
    alterations: tuple[str, ...]
    drug_targets: dict[str, tuple[str, ...]]
    pattern: re.Pattern[str]


@cache
def _targets() -> _Targets:
    raw = json.loads((Path(__file__).parent / "data" / "targets.json").read_text())
    alterations = tuple(raw["alterations"])
    # whole words; a family name also matches its numbered members (ntrk -> ntrk1, ntrk3)
    pattern = re.compile(
        r"\b("
        + "|".join(re.escape(a) for a in sorted(alterations, key=len, reverse=True))
        + r")\d?\b"
    )
    return _Targets(
        generic=frozenset(raw["generic_concepts"]),
        alterations=alterations,
        drug_targets={k: tuple(v) for k, v in raw["drug_targets"].items()},
        pattern=pattern,
    )


def patient_alterations(biomarkers: tuple[str, ...] | list[str]) -> frozenset[str]:
    """Alteration families the profile reports as present (a negative result is not one)."""
    found: set[str] = set()
    targets = _targets()
    for marker in biomarkers:
        text = norm(marker)
        if _NEGATIVE.search(text):
            continue
        found.update(m.group(1) for m in targets.pattern.finditer(text))
    return frozenset(found)


@dataclass(frozen=True, slots=True)
class TrialTargets:
    """What a trial is written for, read once per trial version (profile-independent): the
    alteration families its title/conditions/keywords/inclusion text names, and the drug
    mentions (phrase, class ids) of its interventions."""

    named: frozenset[str]
    drugs: tuple[tuple[str, frozenset[str]], ...]


def trial_targets(trial_text: str, interventions: str) -> TrialTargets:
    targets = _targets()
    named = frozenset(m.group(1) for m in targets.pattern.finditer(norm(trial_text)))
    found = tuple((m.phrase, frozenset(m.classes)) for m in drugs.mentions(norm(interventions)))
    return TrialTargets(named, found)


def fit_of(
    concept: str | None,
    alterations: frozenset[str],
    trial_concepts: tuple[str, ...],
    trial: TrialTargets,
) -> str | None:
    """Why the trial is written for this patient, or None for a broad basket or another tumor."""
    targets = _targets()
    # in the data file's order: the actionable family (NTRK) before a partner gene (ETV6)
    own = [a for a in targets.alterations if a in alterations and a in trial.named]
    if own:
        return f"written for the patient's {own[0].upper()} alteration"
    if alterations:
        for phrase, classes in trial.drugs:
            for class_id in classes:
                hit = alterations & set(targets.drug_targets.get(class_id, ()))
                if hit:
                    return f"{phrase} targets the patient's {sorted(hit)[0].upper()} alteration"
    if concept is not None:
        lineage = {concept} | vocabulary.ancestors(concept)
        specific = [c for c in trial_concepts if c in lineage and c not in targets.generic]
        if specific:
            return f"written for {vocabulary.concept_name(specific[0])}"
    return None


def targeted_fit(
    concept: str | None,
    alterations: frozenset[str],
    trial_concepts: tuple[str, ...],
    trial_text: str,
    interventions: str,
) -> str | None:
    """Why the trial is written for this patient, or None for a broad basket or another tumor.

    `trial_text` is the title, conditions, keywords and inclusion text; `interventions` the
    interventions and titles (where a trial names its drug)."""
    return fit_of(concept, alterations, trial_concepts, trial_targets(trial_text, interventions))


@dataclass(frozen=True)
class RankParts:
    """The parts of a trial's score, in the order they weigh."""

    tier: str
    criteria_in_record: bool
    targeted_fit: str | None
    open_questions: int
    is_open: bool
    distance_km: float | None
    phase_rank: float

    def score(self) -> float:
        few_open = 1.0 / (1.0 + self.open_questions)
        near = 0.0 if self.distance_km is None else 1.0 / (1.0 + self.distance_km / 500.0)
        within = (
            W_IN_RECORD * self.criteria_in_record
            + W_TARGETED * (self.targeted_fit is not None)
            + W_FEW_OPEN * few_open
            + W_OPEN * self.is_open
            + W_NEAR * near
            + W_PHASE * min(self.phase_rank, 4.0) / 4.0
        )
        return round(_TIER[self.tier] + within, 4)

    def explain(self) -> list[str]:
        """The parts in words, most weighty first ("why this rank")."""
        tier = self.tier.replace("_", " ")
        lines = [f"verdict: {tier}"]
        lines.append(
            "criteria read in full"
            if self.criteria_in_record
            else "criteria not in the record — read the registry page"
        )
        lines.append(self.targeted_fit or "no targeted fit (a broad or basket trial)")
        lines.append(f"{self.open_questions} open question(s)")
        lines.append("open to enrolment" if self.is_open else "not open to enrolment")
        if self.distance_km is not None:
            lines.append(f"nearest open site {self.distance_km:.0f} km")
        return lines
