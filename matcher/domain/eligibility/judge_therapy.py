"""Judges for treatment history: prior therapy required/excluded, washout, radiation, transplant,
amputation. Drug classes come from data/drugs.json; washouts are measured from `ended_on`.

The profile's `prior_therapies` list says what the child received; it never says it is complete,
so a treatment it does not list is unknown, not absent (an exclusion is met only by what is
listed and clearly outside the rule); when the list is empty, every history question is unknown.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from matcher.domain.eligibility import cues, drugs, judge_response, vocabulary
from matcher.domain.eligibility.base import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
    Therapy,
)

# where the allowed part of a rule starts ("... except ...", "... are allowed")
_EXCEPT = re.compile(f"{cues.cue('exception').pattern}|{cues.cue('allowance').pattern}")
_SYSTEMIC = frozenset({"chemotherapy", "targeted", "immunotherapy"})
_COUNT = re.compile(
    r"\b(?:at least|>=|≥|minimum of)\s*(\d|one|two|three)\b[^.;]{0,40}\b(?:prior"
    r"|previous|lines?|regimens?)"
)
_NUMS = {"one": 1, "two": 2, "three": 3}
_REQUIRE_VERB = re.compile(
    r"\bmust have (?:been )?(?:received|been treated with|treated with|had|progressed (?:on|after))"
    r"|\bpreviously treated with\b|\bprogressed (?:on|after|following)\b"
)


def split_exception(norm: str) -> tuple[str, str]:
    cut = _EXCEPT.search(norm)
    return (norm[: cut.start()], norm[cut.start() :]) if cut else (norm, "")


@lru_cache(maxsize=65536)  # text-only; judges ask again for every profile (named_therapies)
def targets(part: str, *, agents_by_class: bool = True) -> tuple[frozenset[str], frozenset[str]]:
    """(drug class ids, categories) named in a piece of normalised text. With
    `agents_by_class=False` a named agent stands for itself only (matched by name, agent_named),
    not for its class: an exclusion of "prior vinorelbine" does not exclude vincristine."""
    classes: set[str] = set()
    for mention in drugs.mentions(part):
        if agents_by_class or not mention.is_agent:
            classes |= mention.classes
    cats: set[str] = set()
    for pattern, covered in cues.treatment_categories():
        if pattern.search(part):
            cats |= covered
    if _NOT_ANTICANCER.search(part) and not _ANTICANCER.search(part):
        # "systemic treatment with corticosteroids or other immunosuppressive medications"
        cats -= _SYSTEMIC
    return frozenset(classes), frozenset(cats)


_NOT_ANTICANCER = re.compile(
    r"\bsteroid|\bcorticosteroid|\bimmunosuppress|\bvaccin|\banticoagul|\bantibiotic|\bhormone|"
    r"\bautoimmun|\binfection|\bhiv\b|\bhepatitis|\bgraft|\bgvhd\b|\basthma|\bpsoriasis|"
    r"\barthritis|\blupus|\bdiabet|\bcardiac|\bseizure|\bthyroid|\bantiviral|\banti viral"
)
_ANTICANCER = re.compile(r"\bchemotherap|\banti ?cancer|\bantineoplastic|\bcytotoxic|\btargeted")


def agent_named(t: Therapy, part: str) -> bool:
    """Whether the text names the therapy's agent, or one agent of a regimen listed as one
    ("vincristine, dactinomycin, cyclophosphamide" is named by "dactinomycin")."""
    if t.agent is None:
        return False
    pattern = _agents_word(t.agent)
    return pattern is not None and pattern.search(part) is not None


@lru_cache(maxsize=4096)
def _agents_word(agent: str) -> re.Pattern[str] | None:
    """One pattern for the agent and each agent of a regimen written as one (names of 3
    letters or fewer are too short to find safely)."""
    pieces = [p.strip() for p in _REGIMEN_JOINS.split(agent)]
    names = list(dict.fromkeys(p for p in [agent, *pieces] if len(p) > 3))
    if not names:
        return None
    # longest first: a regimen's full name wins over one of its agents
    names.sort(key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


_REGIMEN_JOINS = re.compile(r"\s*(?:,|\+|/|;|\band\b|\bplus\b|\bwith\b)\s*")


def matches(
    t: Therapy, part: str, classes: frozenset[str], cats: frozenset[str], by_class_only: bool
) -> bool:
    if t.classes & classes or agent_named(t, part):
        return True
    return not by_class_only and t.category is not None and t.category in cats


def label(t: Therapy) -> str:
    return t.agent or t.category or "therapy"


def prep_prior_excluded(crit_text: str, norm: str, section: str) -> Any:
    banned, allowed = split_exception(norm)
    # "cytoreductive surgery with or without intraperitoneal chemotherapy": what may come with
    # the excluded treatment is not excluded on its own
    banned = cues.cue("optional_addition").sub(" ", banned)
    classes, cats = targets(banned, agents_by_class=False)
    cats -= {"surgery"}  # "on-study surgery", "surgery allowed": surgery is a washout question
    on_progression = bool(_ON_TREATMENT_PROGRESSION.search(banned))
    # the amount received or the indication decides, not having had the drug: neither is given
    undecided = (
        "dose" if cues.search("prior_dose_amount", banned) is not None
        else "indication" if cues.search("prior_indication", banned) is not None
        else None
    )  # fmt: skip
    # "Any prior systemic chemotherapy for KS": the tumor the excluded treatment was given for
    found = _FOR_TUMOR.search(banned)
    named = vocabulary.find_concepts(found.group(1)) if found else []
    indication = tuple(c for c in named if c not in vocabulary.GENERIC_TUMORS)
    return (
        banned, allowed, classes, cats, _allowed_targets(allowed), on_progression, undecided,
        indication,
    )  # fmt: skip


_FOR_TUMOR = re.compile(r"\bfor (?:the treatment of |treatment of )?([^.;,()]{2,60})")


def _allowed_targets(allowed: str) -> tuple[frozenset[str], frozenset[str]]:
    return targets(allowed) if allowed else (frozenset(), frozenset())


# "progression while receiving X", "refractory to X", "relapse within 3 months after X"
_ON_TREATMENT_PROGRESSION = re.compile(
    r"\b(?:progress\w*|refractory|resistant|relaps\w*|recurr\w*|failed|failure)\b[^.;]{0,40}"
    r"\b(?:while|during|on|after|following|despite|to)\b"
)
_UNDECIDED = {"dose": "the cumulative dose", "indication": "the indication"}
_SITE_WORDS = re.compile(r"\bsite\b|\bfield\b|\barea\b|\bregion\b|\bvolume\b|\bport\b")


def judge_prior_excluded(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    banned, allowed, classes, cats, (ok_classes, ok_cats), on_progression, undecided = spec[:7]
    indication = spec[7]
    if not facts.therapies:
        return Judgement(
            UNKNOWN, "prior therapies not given", f"prior treatment history vs: {crit.text[:100]}"
        )
    if not classes and not cats and not any(agent_named(t, banned) for t in facts.therapies):
        return Judgement(
            UNKNOWN, "excluded treatment not read", f"prior treatment: {crit.text[:100]}"
        )
    by_class_only = bool(classes)  # a named drug class is precise; a category word is broad
    hits = [t for t in facts.therapies if matches(t, banned, classes, cats, by_class_only)]
    hits = [t for t in hits if not (allowed and matches(t, allowed, ok_classes, ok_cats, True))]
    if hits and all(t.category == "radiation" for t in hits) and _SITE_WORDS.search(banned):
        # "radiotherapy to the site of the sarcoma": which site was irradiated decides
        where = ", ".join(t.site or "site not given" for t in hits)
        return Judgement(
            UNKNOWN,
            f"had radiation ({where}); the criterion concerns one site",
            f"whether prior radiation covered the site named: {crit.text[:90]}",
        )
    if (
        hits
        and indication
        and facts.concept is not None
        and not set(indication) & facts.concept_ids
    ):
        named = ", ".join(vocabulary.concept_name(c) for c in indication)
        if facts.other_malignancy is False:
            # "Any prior systemic chemotherapy for KS" for a patient with Ewing sarcoma and no
            # other cancer: the listed treatment was for another tumor than the one named
            return Judgement(
                MET,
                f"had {label(hits[0])} for {facts.diagnosis}; the rule excludes treatment for "
                f"{named}",
                rule="other_indication",
            )
        return Judgement(
            UNKNOWN,
            f"had {label(hits[0])}; the rule excludes treatment for {named}, and another "
            "malignancy is " + ("reported" if facts.other_malignancy else "not recorded"),
            f"prior treatment for {named}: {crit.text[:90]}",
            rule="other_indication",
        )
    if hits and undecided is not None:
        # "cumulative anthracycline exposure > 400 mg/m2", "MEK inhibitor given as treatment for
        # MPNST": the dose received, or what the drug was given for, decides
        what = _UNDECIDED[undecided]
        return Judgement(
            UNKNOWN,
            f"had {label(hits[0])}; the rule depends on {what}, which the profile does not give",
            f"{what} of prior {label(hits[0])}: {crit.text[:100]}",
            rule=undecided,
        )
    if hits and on_progression:
        # "progression while receiving irinotecan and vincristine": the drug alone does not
        # exclude; how the disease responded to it decides, and that is not read here
        return Judgement(
            UNKNOWN,
            f"had {label(hits[0])}; the rule excludes disease that progressed on it",
            f"response to prior {label(hits[0])}: {crit.text[:100]}",
            rule="response",
        )
    if hits:
        if allowed and not (ok_classes or ok_cats):
            return Judgement(
                UNKNOWN,
                f"had {label(hits[0])}; criterion has an exception not read",
                f"whether prior {label(hits[0])} falls under the exception: {crit.text[:100]}",
            )
        return Judgement(
            NOT_MET, f"had {label(hits[0])}, which this criterion excludes", handled=True
        )
    # the profile never says its treatment list is complete: what it does not list is unknown
    return Judgement(
        UNKNOWN,
        "no listed prior therapy falls under this exclusion (unlisted ones are not ruled out)",
        f"no prior treatment as excluded: {crit.text[:100]}",
        handled=True,
        rule="unlisted",
    )


_SYSTEMIC_WORDS = re.compile(
    r"\b(?:systemic|chemo\w*|regimens?|lines?|drugs?|agents?|medications?|standard|cytotoxic)\b"
)


def prep_prior_required(crit_text: str, norm: str, section: str) -> Any:
    classes, cats = targets(norm)
    count = _COUNT.search(norm)
    n = (int(count.group(1)) if count.group(1).isdigit() else _NUMS[count.group(1)]) if count else 1
    # "lines for metastatic disease": the profile does not say which line treated which setting
    scoped = bool(re.search(r"\bfor (?:metastatic|advanced|unresectable|recurrent|relapsed)", norm))
    # a drug named right after the requirement verb ("must have been treated with a TCR-T
    # product") is required; one named elsewhere in the sentence may be an aside
    strict: set[str] = set()
    for verb in _REQUIRE_VERB.finditer(norm):
        strict |= targets(norm[verb.end() : verb.end() + 60].split(".")[0])[0]
    concepts = tuple(vocabulary.find_concepts(norm))
    response = judge_response.prep_response(norm)
    # "recurred despite prior therapy", "previously treated": any listed treatment counts
    # (surgery and radiation are therapy); "prior systemic therapy" or "regimens" are not met by
    # them
    any_treatment = not cats and n == 1 and not _SYSTEMIC_WORDS.search(norm)
    return norm, classes, cats, n, scoped, concepts, frozenset(strict), any_treatment, response


def judge_prior_required(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    """The required treatment (below), then the response to it where the rule asks for one
    ("refractory to", "progressed on"): read from best_response, never decided without it."""
    *base_spec, response = spec
    base = _judge_required(tuple(base_spec), crit, facts)
    if response is None:
        return base
    return judge_response.combine(response, base, named_therapies(base_spec[0], facts), crit)


def named_therapies(norm: str, facts: Facts) -> list[Therapy]:
    """The listed therapies a rule names (by class, agent or category); every systemic one when
    it names no treatment ("refractory to standard of care treatment")."""
    classes, cats = targets(norm)
    if classes or cats:
        return [t for t in facts.therapies if matches(t, norm, classes, cats, bool(classes))]
    return [t for t in facts.therapies if t.category in _SYSTEMIC]


# "doxorubicin or ifosfamide", "any of", "one of": the drugs named are alternatives
_ALTERNATIVES = re.compile(
    r"\bor\b|\beither\b|\bany (?:of|one)\b|\bone of\b|\bincluding\b|\be ?g\b"
)


def _combination_missing(norm: str, classes: frozenset[str], facts: Facts) -> tuple[str, ...]:
    """The drugs of a required combination ("A with B", "A plus B", "A and B") whose class no
    listed therapy has, as the text names them; () when the rule names one class or offers
    alternatives."""
    if len(classes) < 2 or _ALTERNATIVES.search(norm):
        return ()
    had: set[str] = set()
    for t in facts.therapies:
        had |= t.classes
    named = {m.phrase: m.classes for m in drugs.mentions(norm)}
    return tuple(sorted(p for p, cls in named.items() if not cls & had))


def _judge_required(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    norm, classes, cats, n, scoped, tumors, strict, any_treatment = spec
    if tumors and not any(c in facts.concept_ids for c in tumors):
        # "doxorubicin and/or ifosfamide (synovial sarcoma and MRCLS)": another cohort's rule
        return Judgement(
            UNKNOWN,
            "required prior treatment is named for other tumor types",
            f"prior treatment: {crit.text[:100]}",
        )
    if scoped:
        return Judgement(
            UNKNOWN,
            "counts lines given for a specific setting",
            f"prior lines of therapy: {crit.text[:100]}",
        )
    if not facts.therapies:
        return Judgement(
            UNKNOWN, "prior therapies not given", f"prior treatment: {crit.text[:100]}"
        )
    if classes:
        hits = [t for t in facts.therapies if t.classes & classes or agent_named(t, norm)]
        missing = _combination_missing(norm, classes, facts) if hits else ()
        if missing:
            # "olaratumab together with doxorubicin": one drug of a combination is not the rule
            return Judgement(
                UNKNOWN,
                f"had {label(hits[0])}; the rule asks for a combination and "
                f"{', '.join(missing)} is not in the listed history",
                f"prior treatment required: {crit.text[:100]}",
                rule="combination",
            )
        if hits:
            return Judgement(MET, f"had {label(hits[0])}")
        needed = {drugs.category_of_class(c) for c in classes}
        unread = [t for t in facts.therapies if t.agent and not t.classes and t.category in needed]
        if unread or not strict:
            # an agent we cannot classify ("VAC") might be the required one; a drug named away
            # from the requirement verb may be an aside ("prior progression on PD-1 ...")
            return Judgement(
                UNKNOWN,
                "required prior treatment not found in the listed history",
                f"prior treatment required: {crit.text[:100]}",
            )
        names = ", ".join(sorted(strict))
        return Judgement(
            NOT_MET,
            f"requires prior {names}; not in the listed treatment history",
            f"prior treatment required: {crit.text[:100]}",
        )
    wanted = cats or _SYSTEMIC
    if any_treatment:
        wanted = frozenset(t.category for t in facts.therapies if t.category) or wanted
    hits = [t for t in facts.therapies if t.category in wanted]
    if len(hits) >= n:
        return Judgement(MET, f"{len(hits)} prior {'/'.join(sorted(wanted))} treatment(s) listed")
    return Judgement(
        UNKNOWN,
        "prior regimens cannot be counted from the profile",
        f"number of prior regimens: {crit.text[:100]}",
    )
