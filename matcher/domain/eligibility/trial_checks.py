"""Trial-level checks from structured fields: status, age, sex, diagnosis, disease setting,
distance. They appear in the output as criteria with section "trial"."""

from __future__ import annotations

import re

from matcher.domain.eligibility import vocabulary
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Facts, Judgement
from matcher.domain.eligibility.judge_person import age_ok
from matcher.domain.eligibility.parsed import ParsedTrial
from matcher.domain.geo import nearest_site
from matcher.domain.models.match import NearestSite
from matcher.domain.models.profile import ProfileIn
from matcher.domain.models.trial import Site, Trial

Check = tuple[str, str, Judgement]
_CANCER_WORDS = re.compile(
    r"cancer|tumou?r|neoplas|malignan|oncolog|carcinom|sarcom|lymphom|leuk[a]?emi|blastom|glioma|"
    r"melanom|myelom|metasta|mucositis|chemotherap|radiotherap|cachexia"
)  # kind, text (the evidence), judgement


def status_check(trial: Trial, statuses: frozenset[str], any_status: bool) -> Check:
    status = trial.overall_status
    text = f"Overall status: {status or 'not recorded'}"
    if status is None:
        return (
            "status",
            text,
            Judgement(
                UNKNOWN, "recruitment status not in the record", "whether the trial is recruiting"
            ),
        )
    label = "enrolling by invitation only" if status == "ENROLLING_BY_INVITATION" else status
    if status in statuses:
        listed = [s for s in trial.sites if s.status]
        if listed and not any(s.status in statuses for s in listed):
            return (
                "status",
                text,
                Judgement(UNKNOWN, f"{label}, but no listed site is open", "which site can enrol"),
            )
        return "status", text, Judgement(MET, f"{label}")
    if any_status:
        return "status", text, Judgement(MET, f"{label} (judged regardless of status)")
    return "status", text, Judgement(NOT_MET, f"{label}; not among {', '.join(sorted(statuses))}")


def age_check(trial: Trial, facts: Facts) -> Check:
    lo, hi = trial.minimum_age, trial.maximum_age
    text = f"Ages: {lo.text if lo else 'no minimum'} to {hi.text if hi else 'no maximum'}"
    results: list[bool | None] = []
    if lo is not None:
        results.append(age_ok(facts.age_months, ">=", lo.months, 1.0))
    if hi is not None:
        per = 12.0 if "year" in hi.text.lower() else 1.0
        results.append(age_ok(facts.age_months, "<=", hi.months / per, per))
    years, months = divmod(int(facts.age_months), 12)
    age = f"{years} y {months} m"
    if any(r is False for r in results):
        return "age", text, Judgement(NOT_MET, f"age {age} at evaluation is outside {text[6:]}")
    if all(r is True for r in results):
        return "age", text, Judgement(MET, f"age {age} within limits")
    return "age", text, Judgement(UNKNOWN, f"age {age} is on a limit", "exact age in days")


def sex_check(trial: Trial, facts: Facts) -> Check:
    sex = (trial.sex or "ALL").upper()
    text = f"Sex: {trial.sex or 'not recorded'}"
    if sex == "ALL" or sex.lower() == facts.sex:
        return "sex", text, Judgement(MET, f"{facts.sex} eligible")
    return "sex", text, Judgement(NOT_MET, f"trial enrols {sex.lower()} patients only")


def diagnosis_check(trial: Trial, parsed: ParsedTrial, facts: Facts) -> Check:
    concepts = [c for c in parsed.concepts if c != "neoplasm"]  # "malignancy" names no tumor
    named = ", ".join(vocabulary.concept_name(c) for c in concepts[:6])
    title = trial.brief_title or trial.official_title
    read = f"title: {title}" if title else "tumors named in the criteria"
    text = (
        f"Conditions: {'; '.join(trial.conditions[:6])}"
        if trial.conditions
        else f"Conditions: none recorded; {read}"
    )
    if facts.concept is None and concepts:
        # an unrecognised diagnosis ("synovial sarcoam") is not silently a generic sarcoma
        return (
            "diagnosis",
            text,
            Judgement(
                UNKNOWN,
                f"diagnosis '{facts.diagnosis}' is not in the vocabulary; trial names {named}",
                f"whether {facts.diagnosis} counts as {named}",
                rule="unrecognised_diagnosis",
            ),
        )
    hits = [c for c in concepts if c in facts.concept_ids]
    if hits:
        return (
            "diagnosis",
            text,
            Judgement(MET, f"{facts.diagnosis} is covered by {vocabulary.concept_name(hits[0])}"),
        )
    structured = " ".join([trial.title, *trial.conditions, *trial.keywords, *trial.mesh_terms])
    if not concepts and structured.strip() and not _CANCER_WORDS.search(structured.lower()):
        # "Phelan-McDermid Syndrome": a trial whose record never mentions any cancer
        reason = f"trial is not for a cancer ({'; '.join(trial.conditions[:3]) or trial.title})"
        return "diagnosis", text, Judgement(NOT_MET, reason)
    if not concepts:
        return (
            "diagnosis",
            text,
            Judgement(
                UNKNOWN,
                "trial names no tumor type we recognise",
                f"whether {facts.diagnosis} is eligible",
            ),
        )
    narrower = vocabulary.descendants_of(facts.concept)
    if any(c in narrower for c in concepts):
        return (
            "diagnosis",
            text,
            Judgement(UNKNOWN, f"trial names a subtype ({named})", f"histologic subtype ({named})"),
        )
    forms = vocabulary.possible_forms(facts.concept) if facts.concept else frozenset()
    maybe = next((c for c in concepts if c in forms), None)
    if maybe is not None and facts.concept is not None:
        # "Soft Tissue Sarcoma" for an Ewing sarcoma whose site is not recorded: an
        # extraosseous one is a soft tissue sarcoma, so the trial stays open
        form = vocabulary.form_under(facts.concept, maybe)
        return (
            "diagnosis",
            text,
            Judgement(
                UNKNOWN,
                f"trial is for {vocabulary.concept_name(maybe)} (among others); "
                f"{facts.diagnosis} is one only as {form}",
                f"whether the {facts.diagnosis} is {form}",
                rule="possible_form",
            ),
        )
    return (
        "diagnosis",
        text,
        Judgement(NOT_MET, f"trial is for {named}; patient has {facts.diagnosis}"),
    )


_NO_CRITERIA = Judgement(
    UNKNOWN,
    "no eligibility criteria in the record",
    "full eligibility criteria (not in the record)",
)
_NO_EXCLUSIONS = Judgement(
    UNKNOWN,
    "the record gives no exclusion criteria (its text may be cut short)",
    "exclusion criteria (not in the record)",
    rule="incomplete_record",
)


def structured_checks(
    trial: Trial, parsed: ParsedTrial, facts: Facts, statuses: frozenset[str], any_status: bool
) -> list[Check]:
    """Every trial-level check but distance, in output order: status, age, sex, diagnosis, the
    setting named in the title, and what the record's text leaves out."""
    made = [
        status_check(trial, statuses, any_status),
        age_check(trial, facts),
        sex_check(trial, facts),
        diagnosis_check(trial, parsed, facts),
    ]
    setting = setting_check(trial, parsed, facts)
    if setting is not None:
        made.append(setting)
    return made + record_checks(parsed)


def record_checks(parsed: ParsedTrial) -> list[Check]:
    """What the record's text leaves out: no criteria at all, or inclusion criteria only (the
    registry text is often cut short): a trial is never "eligible" on a part of its rules."""
    if not parsed.criteria:
        return [("other", "Eligibility criteria", _NO_CRITERIA)]
    if not any(c.section == "exclusion" for c in parsed.criteria):
        return [("other", "Exclusion criteria", _NO_EXCLUSIONS)]
    return []


def setting_check(trial: Trial, parsed: ParsedTrial, facts: Facts) -> Check | None:
    relapse, new = parsed.setting
    # the setting is read from the titles and the conditions: show what was read
    title = trial.brief_title or trial.official_title
    conditions = "; ".join(trial.conditions[:4])
    text = "; ".join(
        part for part in (f"Title: {title}" if title else "", f"Conditions: {conditions}") if part
    )
    if parsed.maintenance:
        # maintenance is given to patients in remission after therapy, not during a relapse
        return (
            "disease_setting",
            text,
            Judgement(
                UNKNOWN,
                f"maintenance trial: for patients in remission after therapy; patient has "
                f"{facts.status} disease",
                "whether the patient is in remission after therapy (maintenance trial)",
                rule="maintenance",
            ),
        )
    if relapse and new:
        # "Previously Untreated ... Solid Tumors and ... Relapsed Acute Leukemia": the relapsed
        # population is another tumor's; only the clauses naming the patient's tumor count
        mine = [
            (r, n)
            for concepts, r, n in parsed.setting_clauses
            if (r or n) and any(c in facts.concept_ids for c in concepts)
        ]
        if mine and all(n and not r for r, n in mine):
            return (
                "disease_setting",
                text,
                Judgement(
                    UNKNOWN,
                    f"title describes previously untreated/newly diagnosed disease for this "
                    f"tumor type (the relapsed population it names is another tumor's); patient "
                    f"has {facts.status} disease",
                    "whether recurrent disease is eligible (title: previously untreated)",
                    rule="setting_by_tumor",
                ),
            )
    if new and not relapse:
        return (
            "disease_setting",
            text,
            Judgement(
                NOT_MET,
                f"the trial's title or conditions name newly diagnosed/previously untrea"
                f"ted disease; patient has {facts.status} disease",
            ),
        )
    if relapse:
        why = "the trial's title or conditions name relapsed/refractory disease"
        return "disease_setting", text, Judgement(MET, why)
    return None


def _open_sites(trial: Trial, statuses: frozenset[str], any_status: bool) -> list[Site]:
    overall_open = trial.overall_status in statuses
    sites = [s for s in trial.sites if s.status in statuses or (s.status is None and overall_open)]
    if not sites and any_status:
        sites = list(trial.sites)
    return sites


def distance_check(
    trial: Trial,
    profile: ProfileIn,
    statuses: frozenset[str],
    any_status: bool,
    cache: dict[tuple[float, float], float] | None = None,
) -> tuple[Check | None, NearestSite | None]:
    loc = profile.location
    if loc is None:
        return None, None
    found = nearest_site(loc.lat, loc.lon, _open_sites(trial, statuses, any_status), cache)
    nearest = None
    if found is not None:
        site, km = found
        nearest = NearestSite(
            facility=site.facility,
            city=site.city,
            country=site.country,
            status=site.status,
            distance_km=round(km, 1),
        )
    if loc.max_distance_km is None:
        return None, nearest
    text = f"Nearest open site within {loc.max_distance_km:g} km"
    if nearest is None:
        return (
            "distance",
            text,
            Judgement(
                UNKNOWN, "no open site with a geo point", "distance to the nearest open site"
            ),
        ), None
    if nearest.distance_km <= loc.max_distance_km:
        return (
            "distance",
            text,
            Judgement(
                MET, f"{nearest.city or nearest.facility or 'site'} at {nearest.distance_km:g} km"
            ),
        ), nearest
    return (
        "distance",
        text,
        Judgement(
            NOT_MET,
            f"nearest open site is {nearest.distance_km:g}"
            f" km away ({nearest.city or nearest.facility})",
        ),
    ), nearest
