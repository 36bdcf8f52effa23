"""The printable report's content: a pseudonymous summary, ranked trials, checklists, changes.

Only what a tumor board needs to read in a minute; no coordinates (the location is shown as the
distance limit only), nothing identifying beyond the board's own reference (shown to that board
only, like the rest of the report).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from api.routes_results import ChangeOut
from matcher.domain.eligibility.collect import facts_to_collect
from matcher.domain.models import MatchRun, StoredProfile, TrialMatch
from matcher.domain.models.answer import BoardAnswer
from matcher.domain.models.match import FactToCollect
from matcher.domain.models.profile import ProfileIn

SYMBOL = {"met": "✓", "not_met": "✗", "unknown": "?", "not_applicable": "–"}
# "not_applicable": a rule for other patients, or no rule (heading, note, formality): no obstacle
CRITERION_LABEL = {
    "met": "met",
    "not_met": "not met",
    "unknown": "to verify",
    "not_applicable": "does not apply",
}
VERDICT_LABEL = {
    "eligible": "Eligible",
    "possibly_eligible": "Possibly eligible",
    "ineligible": "Not eligible",
}

LAB_LABEL = {
    "anc_per_uL": "ANC", "platelets_per_uL": "platelets", "hemoglobin_g_dL": "Hb",
    "creatinine_mg_dL": "creatinine", "creatinine_clearance_mL_min": "CrCl",
    "bilirubin_x_uln": "bilirubin", "alt_x_uln": "ALT", "ast_x_uln": "AST",
}  # fmt: skip
LAB_UNIT = {
    "anc_per_uL": "/µL", "platelets_per_uL": "/µL", "hemoglobin_g_dL": " g/dL",
    "creatinine_mg_dL": " mg/dL", "creatinine_clearance_mL_min": " mL/min",
    "bilirubin_x_uln": "×ULN", "alt_x_uln": "×ULN", "ast_x_uln": "×ULN",
}  # fmt: skip


@dataclass(frozen=True)
class Row:
    symbol: str
    label: str
    verdict: str
    section: str
    text: str
    reason: str


@dataclass(frozen=True)
class TrialView:
    rank: int
    match: TrialMatch
    verdict_label: str
    checklist: list[Row]
    counts: dict[str, int]


@dataclass(frozen=True)
class ReportView:
    stored: StoredProfile
    summary: list[tuple[str, str]]
    run: MatchRun | None
    trials: list[TrialView]
    changes: list[ChangeOut]
    previous_report: datetime | None  # when the board last marked it reviewed
    generated_at: datetime
    verdict_counts: dict[str, int] = field(default_factory=dict)
    meeting: date | None = None  # the meeting of that review
    facts: list[FactToCollect] = field(default_factory=list)
    answers: list[BoardAnswer] = field(default_factory=list)

    @property
    def to_verify_lines(self) -> int:
        """The same open questions counted trial by trial (what `facts` merges)."""
        return sum(len(t.match.to_verify) for t in self.candidates)

    @property
    def answers_set_aside(self) -> list[BoardAnswer]:
        return [a for a in self.answers if a.set_aside_at is not None]

    @property
    def candidates(self) -> list[TrialView]:
        """Eligible and possibly eligible trials: these get the full checklist."""
        return [t for t in self.trials if t.match.verdict != "ineligible"]

    @property
    def excluded(self) -> list[TrialView]:
        return [t for t in self.trials if t.match.verdict == "ineligible"]


def _age(p: ProfileIn) -> str:
    months = p.age_months_at_assessment
    years, rest = divmod(int(months), 12)
    return f"{years} y {rest} m (at assessment)"


def summary(p: ProfileIn) -> list[tuple[str, str]]:
    """Label/value pairs of the profile, most decisive facts first; unknowns say so."""
    unknown = "unknown"
    rows = [
        ("Board reference", p.reference or "none given"),
        ("Assessed on", p.assessed_on.isoformat()),
        ("Age", _age(p)),
        ("Sex", p.sex.value),
        ("Diagnosis", p.diagnosis + (f" ({p.diagnosis_code})" if p.diagnosis_code else "")),
        ("Disease status", p.disease_status.value
         + (f", relapse {p.relapse_number}" if p.relapse_number else "")),
        ("Recurrence sites", ", ".join(s.value.replace("_", " ") for s in p.recurrence_sites)
         or unknown),
    ]  # fmt: skip
    if p.tumor is not None:
        t = p.tumor
        parts = [
            f"grade {t.grade}" if t.grade else "",
            f"{t.size_cm} cm" if t.size_cm else "",
            {True: "measurable", False: "not measurable", None: ""}[t.measurable],
            {True: "invasive", False: "non-invasive", None: ""}[t.invasive],
        ]
        rows.append(("Tumor", ", ".join(x for x in parts if x) or unknown))
    rows.append(("Biomarkers", ", ".join(p.biomarkers) or "none reported"))
    therapies = []
    for pt in p.prior_therapies:
        category = f"({pt.category.value})" if pt.category else None
        what = " ".join(x for x in (pt.agent, category) if x)
        where = f" to {pt.site}" if pt.site else ""
        when = f", ended {pt.ended_on.isoformat()}" if pt.ended_on else ""
        line = f", line {pt.line}" if pt.line is not None else ""
        best = f", best response {pt.best_response.value}" if pt.best_response else ""
        therapies.append(f"{what}{where}{line}{when}{best}".replace("_", " "))
    rows.append(("Prior therapies", "; ".join(therapies) or "none reported"))
    if p.performance is not None:
        rows.append(("Performance", f"{p.performance.scale.value.title()} {p.performance.score}"))
    if p.labs is not None:
        labs = p.labs.model_dump(exclude_none=True)
        shown = (f"{LAB_LABEL.get(k, k)} {v:g}{LAB_UNIT.get(k, '')}" for k, v in labs.items())
        rows.append(("Labs", ", ".join(shown)))
    flags = {"CNS metastases": p.cns_metastases, "Pregnant": p.pregnant, "Lactating": p.lactating}
    for label, value in flags.items():
        rows.append((label, unknown if value is None else ("yes" if value else "no")))
    if p.recurrence_in_radiation_field is not None:  # shown only when given (issue 9)
        inside = p.recurrence_in_radiation_field
        rows.append(("Recurrence in a previous radiation field", "yes" if inside else "no"))
    if p.weight_kg is not None:
        rows.append(("Weight", f"{p.weight_kg:g} kg"))
    if p.location is not None:
        limit = p.location.max_distance_km
        rows.append(("Travel limit", f"{limit:,.0f} km" if limit else "no limit given"))
    return rows


def trial_view(rank: int, m: TrialMatch) -> TrialView:
    rows = [
        Row(SYMBOL[c.verdict], CRITERION_LABEL[c.verdict], c.verdict, c.section, c.text, c.reason)
        for c in m.criteria
    ]
    counts = {v: sum(1 for c in m.criteria if c.verdict == v) for v in SYMBOL}
    return TrialView(rank, m, VERDICT_LABEL.get(m.verdict, m.verdict), rows, counts)


def build(
    stored: StoredProfile,
    run: MatchRun | None,
    changes: list[ChangeOut],
    review: tuple[datetime, date | None] | None,
    generated_at: datetime,
    answers: list[BoardAnswer] | None = None,
) -> ReportView:
    trials = [trial_view(i, m) for i, m in enumerate(run.results if run else [], 1)]
    counts = {v: sum(1 for t in trials if t.match.verdict == v) for v in VERDICT_LABEL}
    return ReportView(
        stored=stored, summary=summary(stored.profile), run=run, trials=trials, changes=changes,
        previous_report=review[0] if review else None, generated_at=generated_at,
        verdict_counts=counts, meeting=review[1] if review else None,
        facts=facts_to_collect(run.results, stored.profile) if run else [],
        answers=sorted(answers or [], key=lambda a: (a.nct_id, a.answered_at)),
    )  # fmt: skip
