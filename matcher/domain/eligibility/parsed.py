"""A trial's criteria, split and classified once per trial version and cached.

Everything here is profile-independent, so one parse serves every profile; the cache is keyed by
(nct_id, version), and a new registry version (lastUpdatePostDate or content hash) parses afresh.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from matcher.domain.eligibility import (
    condition,
    cues,
    lab_reading,
    outputs,
    projection,
    structure,
    vocabulary,
)
from matcher.domain.eligibility.base import Aspect, Criterion
from matcher.domain.eligibility.classifier import classify, without_notes
from matcher.domain.eligibility.groups import group as scope_group
from matcher.domain.eligibility.groups import marrow_group, opens_with_label, participant_group
from matcher.domain.eligibility.judge_setting import prep_disease_setting
from matcher.domain.eligibility.judges import REGISTRY, has_exception, part_specific
from matcher.domain.eligibility.notices import notice
from matcher.domain.eligibility.numbers import fold_ops
from matcher.domain.eligibility.rank import TrialTargets, trial_targets
from matcher.domain.eligibility.scope import terms as requirement_terms
from matcher.domain.eligibility.scope import tumor_heading, tumor_label, tumor_scope
from matcher.domain.eligibility.splitter import Item, split_items
from matcher.domain.eligibility.text import norm
from matcher.domain.models.trial import Trial

CACHE_SIZE = 8192
_OR = re.compile(r"\bor\b")
_NEW_OR_LIST = re.compile(
    r"\b(?:newly diagnosed|previously untreated)\s*,?\s*(?:\w+\s*,\s*){0,3}(?:\w+\s+)?or\b"
)


@dataclass(frozen=True, slots=True)
class ParsedTrial:
    nct_id: str
    version: str
    criteria: tuple[Criterion, ...]
    # concepts named by the trial's title/conditions/keywords/inclusion text (for the trial check)
    concepts: tuple[str, ...]
    structured_concepts: tuple[str, ...]  # from title/conditions/keywords only
    setting: tuple[bool, bool]  # (names relapse/refractory, names newly diagnosed) in the title
    phase_rank: float
    # the few fields each trial-level check reads, so that equal trials share one judgement
    status_key: tuple[Any, ...] = ()
    age_key: tuple[Any, ...] = ()
    diagnosis_key: tuple[Any, ...] = ()
    static_key: tuple[Any, ...] = ()  # all trial-level inputs except the sites' distances
    # per title clause ("Previously Untreated TRK Fusion Solid Tumors and ... Relapsed Acute
    # Leukemia"): (tumors named, names relapse, names newly diagnosed)
    setting_clauses: tuple[tuple[tuple[str, ...], bool, bool], ...] = ()
    maintenance: bool = False  # a maintenance trial: for patients in remission after therapy
    # what the trial is written for (ranking's targeted fit): alterations named, drugs given
    targets: TrialTargets | None = None
    # ints naming static_key and (targets, concepts): equal iff the values are equal (within one
    # interning generation), so that a run's per-trial lookups need not hash the tuples again
    static_id: int = 0
    fit_id: int = 0


# a list introduction that says nothing of its own ("Patients must have at least:")
_LIST_INTRO = re.compile(
    r"^(?:patients|participants|subjects)?\s*(?:must )?(?:have|meet|fulfil+)?\s*(?:at least|all|"
    r"(?:\w+ )?(?:one|1|any) of)?(?: the following)?(?: criteria)?\s*:\s*$"
)
_DIAGNOSIS_PARENT = re.compile(r"diagnos|histolog|tumou?r|sarcoma|malignan")
# Identical criteria recur across trials (cooperative-group boilerplate): one object per distinct
# criterion lets a match run judge each once. Bounded; cleared wholesale when full.
_INTERN: dict[tuple[str, str, str, bool, bool], Criterion] = {}
_INTERN_MAX = 200_000
_BLOCKS: dict[str, tuple[Criterion, ...]] = {}
_REGISTERED = set(REGISTRY)
SHARE = True  # benchmarks switch sharing off to measure the worst case (every text unique)


def _criterion(item: Item) -> Criterion:
    text, section, context = item.text, item.section, item.context
    key = (section, text, context, item.or_group, item.flat)
    known = None if item.notes or not SHARE else _INTERN.get(key)
    if known is not None:
        return known
    full = text if not item.notes else f"{text} [{' | '.join(item.notes)}]"
    text = cues.canonical(text, section)  # read in the rules' words; `full` is what the board sees
    n_own = norm(text)
    group = scope_group(n_own)
    n_context = norm(context)
    kinds = classify(n_own, n_context, section)
    rest = text.split(":", 1)[1].strip() if "age" in kinds and opens_with_label(n_own) else ""
    if group and rest:
        # "Patients >= 18 years: systolic BP >= 140 mmHg": the label is the group, the rest is
        # the rule (read whole, the label was an age limit: a wrong "not met" for an adult);
        # other kinds keep the label ("16 to < 18 years: 1.7 mg/dL", a creatinine row by age)
        text, n_own = rest, norm(rest)
        kinds = classify(n_own, n_context, section)
    or_group = item.or_group
    if or_group and item.flat and kinds != ("other",):
        # a flattened "1 of the following:" list has no visible end: an item of another kind
        # than its heading (a lab value after a list of diagnoses) is not one of the alternatives
        parent_kinds = set(classify(norm(item.parent.text), "", section)) if item.parent else set()
        if item.parent is not None and _DIAGNOSIS_PARENT.search(item.parent.text.lower()):
            parent_kinds.add("diagnosis")
        # a heading of unknown kind ("Low-risk group") keeps its items as alternatives
        or_group = bool(parent_kinds & set(kinds)) or parent_kinds <= {"other"}
    if or_group and kinds == ("other",) and item.parent is not None:
        # "Myxoid" under "liposarcoma of any of the following histology subtypes:" is a subtype
        # of the heading's tumor: an alternative a patient with another tumor does not have
        subtype = structure.subtype_spec(n_own, item.parent.text)
        if subtype is not None:
            kinds = ("diagnosis",)
            return _intern(key, item, structure.subtype_criterion(item, full, n_own, subtype))
    scope, negated = tumor_scope(text, kinds)
    if not scope and "diagnosis" in kinds and len(kinds) > 1:
        # "RMS: relapsed or refractory after at least 1 prior regimen with vincristine": a tumor
        # label before a rule of another kind says whom the rule is for (a list of tumors after
        # the label, "Rhabdomyosarcoma: embryonal or alveolar", stays a diagnosis)
        label = tumor_label(text)
        rule = text.split(":", 1)[1] if label else ""
        if label and "diagnosis" not in classify(norm(rule), n_context, section):
            scope = label
    if "age" in kinds and "diagnosis" in kinds:
        spec = REGISTRY["age"].prep(text, n_own, section)
        if spec and spec[0] in {"scoped", "by_tumor"}:
            kinds = tuple(k for k in kinds if k != "diagnosis")  # the tumors pick the age limit
    if scope and "diagnosis" in kinds and len(kinds) > 1:
        kinds = tuple(k for k in kinds if k != "diagnosis")  # the tumors name whom, not what
    aspects = tuple(
        Aspect(k, REGISTRY[k].prep(*_prep_text(k, item, text, full, n_own), section))
        if k in REGISTRY
        else Aspect(k, None)
        for k in kinds
    )
    found = notice(
        text,
        n_own,
        kinds,
        n_context if item.parent is not None else "",
        heads=item.children > 0,
        section=section,
        notes=bool(item.notes),
    )
    if not scope and item.parent is not None and not item.or_group:
        # the criteria under a disease heading ("Mesothelioma" over its own items) are its rules
        scope = tumor_heading(item.parent.text)
        grand = item.parent.parent
        if not scope and grand is not None and _LIST_INTRO.match(norm(item.parent.text)):
            # "Osteosarcoma" > "Patients must have at least:" > items: a bare list introduction
            # between the disease heading and its items keeps them the disease's rules
            scope = tumor_heading(grand.text)
        negated = False
    if not scope and item.parent is not None:
        scope = tumor_label(item.parent.text)  # "NF1-associated MPNST: ... 2 of the following:"
    if not group and item.parent is not None:
        # "Patients with solid tumors without known bone marrow involvement:" over its counts;
        # "Family caregiver participants:" over the caregiver's rules
        group = marrow_group(norm(item.parent.text)) or participant_group(item.parent.text)
    # a condition the judges can read ("Patients with measurable disease must ..."): met or not
    # by the patient decides whether the rule applies (never for a rule already not applicable)
    heading = norm(item.parent.text) if item.parent is not None else None
    cond = (
        None
        if found is not None or scope or group
        else condition.criterion(n_own, REGISTRY, heading)
    )
    constant = found is not None or (
        kinds == ("other",) and not scope and not group and cond is None
    )
    reads = (
        projection.NOTHING
        if constant
        else projection.reads_of(aspects, bool(scope), group, _REGISTERED)
    )
    crit = Criterion(
        section="exclusion" if section == "exclusion" else "inclusion",
        text=full,
        norm=n_own,
        aspects=aspects,
        in_or_group=or_group,
        # only the immediate heading scopes an item: in flattened lists the chain of inferred
        # parents reaches far back ("... (Part 2b):" three headings earlier)
        part_specific=part_specific(n_own)
        or (item.parent is not None and part_specific(norm(item.parent.text))),
        has_exception=has_exception(norm(full)),
        has_or=bool(_OR.search(n_own)),
        constant=constant,
        scope=scope,
        scope_negated=negated,
        group=group,
        not_applicable=found,
        # a later sentence that only allows or qualifies asks for nothing to be established
        terms=requirement_terms(without_notes(n_own)),
        condition=cond[0] if cond else None,
        condition_negated=bool(cond and cond[1]),
        # a constant criterion reads no fact: one memo key serves every profile
        reads=reads if cond is None else projection.union(reads, cond[0].reads),
    )
    return _intern(key, item, crit)


def _prep_text(kind: str, item: Item, text: str, full: str, n_own: str) -> tuple[str, str]:
    """The text a rule reads: its own line, except that a lab rule also reads the values its
    absorbed sub-items carry ("adequate organ function ... [Liver: total bilirubin <= 1.5 x ULN
    ...]"): the heading alone names no limit, and judging it on the heading leaves it unread."""
    if kind == "labs" and item.notes:
        return full, norm(full)
    if kind == "labs" and item.parent is not None and not lab_reading.analytes_named(text):
        # ">= 18 years: <= 1.5 x ULN" under "Serum creatinine by age and sex:": a table row
        # whose analyte is the header's one
        named_text = lab_reading.header_row(text, item.parent.text, opens_with_label(n_own))
        if named_text is not None:
            return named_text, norm(named_text)
    return text, n_own


def _intern(key: tuple[str, str, str, bool, bool], item: Item, crit: Criterion) -> Criterion:
    if item.notes:
        return crit  # notes make it unique; not worth interning
    if len(_INTERN) >= _INTERN_MAX:
        _INTERN.clear()
    _INTERN[key] = crit
    return crit


def split_and_classify(text: str | None) -> tuple[Criterion, ...]:
    """The criteria of one eligibility text. An identical text (a trial re-versioned without
    changing its criteria) yields the same tuple object, which a match run judges once."""
    if not text:
        return ()
    if SHARE and text in _BLOCKS:
        return _BLOCKS[text]
    items = split_items(text)
    block = structure.apply(text, items, [_criterion(it) for it in items])
    if SHARE:
        if len(_BLOCKS) >= _INTERN_MAX // 20:
            _BLOCKS.clear()
        _BLOCKS[text] = block
    return block


def _phase_rank(phases: list[str]) -> float:
    ranks = {"EARLY_PHASE1": 0.5, "PHASE1": 1.0, "PHASE2": 2.0, "PHASE3": 3.0, "PHASE4": 4.0}
    return max((ranks.get(p, 0.0) for p in phases), default=0.0)


def parse_trial(trial: Trial) -> ParsedTrial:
    criteria = split_and_classify(trial.eligibility_criteria)
    structured = " ; ".join(
        [trial.brief_title or "", trial.official_title or "", *trial.conditions, *trial.keywords]
    )
    structured_concepts = tuple(vocabulary.find_concepts(structured))
    from_criteria: list[str] = []
    for crit in criteria:
        if crit.section == "inclusion" and any(a.kind == "diagnosis" for a in crit.aspects):
            from_criteria += vocabulary.find_concepts(crit.norm)
    concepts = tuple(dict.fromkeys([*structured_concepts, *from_criteria]))
    titles = norm(
        " ; ".join([trial.brief_title or "", trial.official_title or "", *trial.conditions])
    )
    relapse, new, *_ = prep_disease_setting(titles, titles, "trial")
    # "Newly Diagnosed, Unresectable, or Metastatic ...": newly diagnosed is one alternative
    new = new and not _NEW_OR_LIST.search(titles)
    status_key = (
        "status",
        trial.overall_status,
        frozenset(s.status for s in trial.sites if s.status),
    )
    age_key = (
        "age",
        trial.minimum_age.text if trial.minimum_age else None,
        trial.maximum_age.text if trial.maximum_age else None,
    )
    diagnosis_key = ("diagnosis", concepts, tuple(trial.conditions[:6]) or trial.title)
    clauses = tuple(
        (tuple(vocabulary.find_concepts(part)), *prep_disease_setting(part, part, "trial")[:2])
        for part in _TITLE_CLAUSE.split(titles)
        if part.strip()
    )
    maintenance = _MAINTENANCE.search(titles) is not None
    static_key = (
        status_key,
        age_key,
        trial.sex,
        diagnosis_key,
        (relapse, new, clauses, maintenance),
        trial.title,
        bool(criteria),
        any(c.section == "exclusion" for c in criteria),
    )
    targets = _trial_targets(trial, criteria)
    return ParsedTrial(
        trial.nct_id, trial.version, criteria, concepts, structured_concepts, (relapse, new),
        _phase_rank(trial.phases), status_key, age_key, diagnosis_key, static_key, clauses,
        maintenance, targets, _interned(static_key), _interned((targets, concepts)),
    )  # fmt: skip


_IDS: dict[Any, int] = {}


def _interned(key: Any) -> int:
    """A process-unique int for this value (projection.serial; never reused, so clearing the
    table when full only costs sharing)."""
    found = _IDS.get(key)
    if found is None:
        if len(_IDS) >= _INTERN_MAX:
            _IDS.clear()
        found = _IDS[key] = projection.serial()
    return found


def _trial_targets(trial: Trial, criteria: tuple[Criterion, ...]) -> TrialTargets:
    titles = [trial.brief_title or "", trial.official_title or ""]
    written = [*titles, *trial.conditions, *trial.keywords]
    written += [c.text for c in criteria if c.section == "inclusion"]
    return trial_targets(" ; ".join(written), " ; ".join([*trial.interventions, *titles]))


_TITLE_CLAUSE = re.compile(r"\band\b|;|,|\bor\b|\bvs\b")
_MAINTENANCE = re.compile(r"\bmaintenance\b")


class ParseCache:
    """Thread-safe LRU of ParsedTrial by (nct_id, version); Celery workers share one per process."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._data: OrderedDict[tuple[str, str], ParsedTrial] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, trial: Trial) -> ParsedTrial:
        key = (trial.nct_id, trial.version)
        with self._lock:
            found = self._data.get(key)
            if found is not None:
                self._data.move_to_end(key)
                self.hits += 1
                return found
        parsed = parse_trial(trial)
        with self._lock:
            self.misses += 1
            self._data[key] = parsed
            while len(self._data) > self._size:
                self._data.popitem(last=False)
        return parsed

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.hits = self.misses = 0


CACHE = ParseCache()


def clear_caches() -> None:
    """Forget every parsed trial and interned criterion (benchmarks measure a cold start)."""
    CACHE.clear()
    _INTERN.clear()
    _BLOCKS.clear()
    _IDS.clear()
    classify.cache_clear()
    norm.cache_clear()
    fold_ops.cache_clear()
    projection.clear()
    outputs.clear()
