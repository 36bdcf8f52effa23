"""The diagnosis vocabulary (data/vocabulary.json): concepts, synonyms and broader concepts.

The data file is the clinician-reviewable part; this module only indexes it. Matching is by whole
normalised phrases, longest first, so a trial's "Ewing sarcoma" is a different tumor from a
patient's synovial sarcoma, while "relapsed or refractory solid tumors" covers both.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.text import norm, phrase_regex

# tumor words too broad to name a cohort or scope a rule ("sarcoma" of "synovial sarcoma"):
# one set for every module that sets them aside
GENERIC_TUMORS = frozenset({"neoplasm", "solid_tumor", "sarcoma", "soft_tissue_tumor"})
GENERIC_FALLBACK = ("sarcoma", "solid_tumor", "neoplasm")  # for a diagnosis we do not know


@dataclass(frozen=True, slots=True)
class Concept:
    id: str
    name: str
    synonyms: tuple[str, ...]
    parents: tuple[str, ...]
    grade: int | None = None  # the grade the histology has by definition, if it has one
    # WHO "intermediate" (locally aggressive or rarely metastasizing): not clearly a malignancy
    intermediate: bool = False


@dataclass(frozen=True, slots=True)
class _Index:
    concepts: dict[str, Concept]
    by_phrase: dict[str, str]  # normalised synonym -> concept id
    ancestors: dict[str, frozenset[str]]  # concept id -> itself and every broader concept


@cache
def _index() -> _Index:
    raw = json.loads(
        resources.files("matcher.domain.eligibility").joinpath("data/vocabulary.json").read_text()
    )
    concepts: dict[str, Concept] = {}
    by_phrase: dict[str, str] = {}
    for item in raw["concepts"]:
        concept = Concept(
            item["id"],
            item["name"],
            tuple(item["synonyms"]),
            tuple(item["parents"]),
            item.get("grade"),
            bool(item.get("intermediate", False)),
        )
        concepts[concept.id] = concept
        for phrase in (concept.name, *concept.synonyms):
            by_phrase.setdefault(norm(phrase), concept.id)

    def up(cid: str, seen: frozenset[str] = frozenset()) -> frozenset[str]:
        out = {cid}
        for parent in concepts[cid].parents:
            if parent not in seen:
                out |= up(parent, seen | {cid})
        return frozenset(out)

    return _Index(concepts, by_phrase, {cid: up(cid) for cid in concepts})


@cache
def _regex() -> re.Pattern[str]:
    return phrase_regex(_index().by_phrase)


@dataclass(frozen=True, slots=True)
class _SubtypeList:
    """One head concept's subtype modifiers and the patterns _expand_subtypes applies."""

    heads: tuple[str, ...]  # the head's own phrases ("rhabdomyosarcoma", "rms")
    modifiers: dict[str, str]  # modifier -> the narrower concept it names ("embryonal" -> erms)
    modifier: re.Pattern[str]  # any one modifier, as a whole word
    listed: re.Pattern[str]  # "embryonal, spindle cell, or botryoid rms"
    negated: re.Pattern[str] | None  # "nonalveolar rms" (None for generic heads)

    def spell(self, match: re.Match[str]) -> str:
        """The listed subtypes, each by its own name."""
        named = self.modifier.findall(match.group(0))
        return " or ".join(dict.fromkeys(norm(concept_name(self.modifiers[m])) for m in named))

    def others(self, match: re.Match[str]) -> str:
        """The head's subtypes but the negated one."""
        left_out = self.modifiers[match.group("mod")]
        rest = sorted({c for c in self.modifiers.values() if c != left_out})
        return " or ".join(norm(concept_name(c)) for c in rest)


@cache
def _subtype_lists() -> tuple[_SubtypeList, ...]:
    """Per head concept ("rhabdomyosarcoma", also written "rms"): the modifiers that make a
    narrower concept of it ("embryonal", "spindle cell") and two patterns, one for a coordinated
    list of them before the head ("embryonal, spindle cell, or botryoid RMS") and one for a
    negated one ("nonalveolar RMS"; not for generic heads: "non small cell lung cancer").
    Built from the synonyms: "<modifier> <head>" naming a narrower concept."""
    index = _index()
    by_head: dict[str, dict[str, str]] = {}
    for phrase, cid in index.by_phrase.items():
        words = phrase.split()
        for cut in range(1, len(words)):
            broader = index.by_phrase.get(" ".join(words[cut:]))
            if broader and broader != cid and broader in index.ancestors[cid]:
                by_head.setdefault(broader, {}).setdefault(" ".join(words[:cut]), cid)
    out = []
    for head, modifiers in sorted(by_head.items()):
        if len(set(modifiers.values())) < 2:
            continue
        heads = [p for p, c in index.by_phrase.items() if c == head]
        noun = "(?:" + "|".join(re.escape(h) for h in sorted(heads, key=len, reverse=True)) + ")"
        alts = "|".join(re.escape(m) for m in sorted(modifiers, key=len, reverse=True))
        item = f"(?:{alts})"
        listed = re.compile(
            rf"\b{item}(?:\s*,\s*{item})*\s*,?\s+(?:and or|and|or)\s+{item}\s+{noun}s?\b"
        )
        negated = None
        if head not in GENERIC_TUMORS:
            negated = re.compile(rf"\bnon ?(?P<mod>{alts})\s+{noun}s?\b")
        modifier = re.compile(rf"\b{item}\b")
        out.append(_SubtypeList(tuple(heads), modifiers, modifier, listed, negated))
    return tuple(out)


def _expand_subtypes(normed: str) -> str:
    """ "embryonal, spindle cell, or botryoid rms" -> each subtype's own name; "nonalveolar rms"
    -> the head's other subtypes: a head after a list of subtypes names only those subtypes, and
    "non-X" never names X."""
    if " or " not in normed and " and " not in normed and "non" not in normed:
        return normed
    for entry in _subtype_lists():
        if not any(head in normed for head in entry.heads):
            continue  # a plain substring test first: most texts name none of the heads
        normed = entry.listed.sub(entry.spell, normed)
        if entry.negated is not None:
            normed = entry.negated.sub(entry.others, normed)
    return normed


def find_concepts(text: str) -> list[str]:
    """Concept ids named in free text, in order of appearance (leftmost longest phrases)."""
    index = _index()
    pattern = _regex()
    found: list[str] = []
    for match in pattern.finditer(_expand_subtypes(norm(text))):
        phrase = match.group(0)
        cid = index.by_phrase.get(phrase) or index.by_phrase.get(_singular(phrase))
        if cid is not None and cid not in found:
            found.append(cid)
    return found


def _generic_mentions(text: str) -> list[tuple[str, bool]]:
    """(generic concept, named in passing) for each generic tumor word in the text: in passing
    when it is the tail of a longer histology name the vocabulary does not know ("myxoinflammatory
    fibroblastic sarcoma"), i.e. the word before it is no generic modifier (data/cues.json
    "generic_modifiers") and no vocabulary phrase."""
    normed = norm(text)
    modifiers = cues.cue("generic_modifiers")
    out = []
    for match in _regex().finditer(normed):
        cid = _index().by_phrase.get(match.group(0)) or _index().by_phrase.get(
            _singular(match.group(0))
        )
        if cid not in GENERIC_TUMORS:
            continue
        before = normed[: match.start()].split()
        word = re.sub(r"\W", "", before[-1]) if before else ""  # "(solid tumors)": no word
        passing = bool(word) and not modifiers.match(word) and word not in _index().by_phrase
        out.append((cid, passing))
    return out


def generic_named_in_passing(text: str) -> bool:
    """True when a generic tumor word is named in passing (_generic_mentions) somewhere."""
    return any(passing for _cid, passing in _generic_mentions(text))


def generic_only_in_passing(text: str) -> frozenset[str]:
    """The generic concepts every mention of which is in passing ("pleomorphic spindle cell
    sarcoma, ... sarcoma not otherwise specified" next to named histologies names no "any
    sarcoma")."""
    mentions = _generic_mentions(text)
    return frozenset(cid for cid, _p in mentions if all(p for c, p in mentions if c == cid))


def find_concepts_at(text: str) -> int | None:
    """Where in norm(text) the first vocabulary phrase starts (None if it names none)."""
    match = _regex().search(norm(text))
    return None if match is None else match.start()


def _singular(phrase: str) -> str:
    if phrase.endswith("es") and phrase[:-2] in _index().by_phrase:
        return phrase[:-2]
    return phrase[:-1] if phrase.endswith("s") else phrase


def is_name(text: str) -> bool:
    """True when the whole text is one of the vocabulary's names ("mesothelioma", "RMS")."""
    key = norm(text)
    return key in _index().by_phrase or _singular(key) in _index().by_phrase


@lru_cache(maxsize=256)
def resolve(diagnosis: str) -> str | None:
    """The concept id of a diagnosis as a board writes it, or None if the vocabulary lacks it."""
    index = _index()
    key = norm(diagnosis)
    if key in index.by_phrase:
        return index.by_phrase[key]
    # "myxoinflammatory fibroblastic sarcoma" names only the generic word: keep it unknown (its
    # own text is searched) rather than collapse it to "sarcoma"
    found = [c for c in find_concepts(diagnosis) if c not in GENERIC_TUMORS]
    return found[0] if found else None


def ancestors(concept_id: str) -> frozenset[str]:
    """The concept and every broader concept (its whole is-a chain)."""
    return _index().ancestors[concept_id]


@lru_cache(maxsize=1024)  # the vocabulary is fixed per process; judges ask once per criterion
def descendants_of(concept_id: str) -> frozenset[str]:
    """Every concept narrower than `concept_id` (not itself)."""
    return frozenset(
        cid for cid, ups in _index().ancestors.items() if concept_id in ups and cid != concept_id
    )


@cache
def possible_forms(concept_id: str) -> frozenset[str]:
    """Concepts a tumor recorded as `concept_id` may turn out to fall under: its subtypes and
    what each subtype is classed under (an Ewing sarcoma of unrecorded site may be extraosseous,
    which is a soft tissue sarcoma). A trial for one of these is "maybe", never a clear no.
    Every subtype (descendants_of) is among them."""
    narrower = descendants_of(concept_id)
    return frozenset(narrower).union(*(ancestors(d) for d in narrower)) - ancestors(concept_id)


def form_under(concept_id: str, broader: str) -> str | None:
    """The name of a subtype of `concept_id` classed under `broader`, if any (possible_forms)."""
    for sub in sorted(descendants_of(concept_id)):
        if broader in ancestors(sub):
            return concept_name(sub)
    return None


def grade_by_definition(concept_id: str | None) -> int | None:
    """The grade a histology has by definition (data "grade"), else None."""
    return None if concept_id is None else _index().concepts[concept_id].grade


def malignant(concept_id: str) -> bool | None:
    """Whether the tumor is a malignancy: True for a sarcoma or another cancer, False for a
    tumor classed only as a soft tissue tumor (desmoid), None for one of intermediate behaviour
    (data "intermediate": IMT, DFSP), whose counting as a malignancy is the board's call."""
    if _index().concepts[concept_id].intermediate:
        return None
    ups = ancestors(concept_id)
    return "sarcoma" in ups or ("neoplasm" in ups and "soft_tissue_tumor" not in ups)


def concept_name(concept_id: str) -> str:
    return _index().concepts[concept_id].name


def patient_concepts(diagnosis: str) -> tuple[str | None, frozenset[str]]:
    """(concept id or None, the ids a trial may name to include this patient)."""
    cid = resolve(diagnosis)
    if cid is None:
        return None, frozenset(GENERIC_FALLBACK)
    return cid, ancestors(cid)


def search_terms(diagnosis: str) -> list[str]:
    """Canonical name plus broader terms, narrowest first, for ClinicalTrials.gov `query.cond`.

    "synovial sarcoma" -> ["synovial sarcoma", "non-rhabdomyosarcoma soft tissue sarcoma",
    "soft tissue sarcoma", "sarcoma", "solid tumor"]. The root ("cancer") is left out: it would
    return every oncology trial. An unknown diagnosis keeps its own text plus generic terms.
    """
    cid = resolve(diagnosis)
    if cid is None:
        own = " ".join(diagnosis.split())
        return _dedupe([own, "soft tissue sarcoma", "sarcoma", "solid tumor"])
    index = _index()
    ordered = sorted(ancestors(cid) - {"neoplasm"}, key=lambda c: (-len(ancestors(c)), c))
    if not ordered:
        # the root itself ("cancer", "neoplasm"): searched no wider than an unknown diagnosis,
        # and without its own word, which would return every oncology trial
        return ["soft tissue sarcoma", "sarcoma", "solid tumor"]
    return _dedupe([index.concepts[c].name for c in ordered])


def _dedupe(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.lower()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out
