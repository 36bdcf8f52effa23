"""Judges for treatment timing and history: washout periods (measured from `ended_on`), prior
radiation (incl. a recurrence inside the field), transplant and amputation."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Any

from matcher.domain.eligibility import cues, drugs, judge_field
from matcher.domain.eligibility.base import (
    MET,
    NOT_APPLICABLE,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
)
from matcher.domain.eligibility.judge_therapy import label, matches, split_exception, targets

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(days?|d\b|weeks?|wks?|months?)")
_CLAUSE = re.compile(r";|\.\s|\bat least\b(?=[^;.]*\bsince\b)")
_CURRENT = re.compile(r"\bcurrent(?:ly)?\b|\bconcurrent|\bconcomitant\b|\bongoing\b|\breceiving\b")
_HALF_LIFE = re.compile(r"\bhalf li")
_LONGER = re.compile(r"whichever is (?:greater|longer)")

# (durations in days, drug classes, categories, the clause's text, and whether the wait is "N
# days or 5 half-lives, whichever is longer")
Clause = tuple[tuple[float, ...], frozenset[str], frozenset[str], str, bool]


def _days(text: str) -> list[float]:
    """Durations in days. One followed by "if ..." ("42 days if prior nitrosourea", "3 months if
    craniospinal XRT") applies to some treatments only: it can prolong the wait, never set the
    minimum, so a clause with only such durations gets a minimum of 0."""
    general: list[float] = []
    subtype: list[float] = []
    for m in _DURATION.finditer(text):
        unit = m.group(2)[0]
        days = float(m.group(1)) * (1 if unit == "d" else 7 if unit == "w" else 30.44)
        after = _DURATION.split(text[m.end() : m.end() + 40])[0]
        for_class = after.lstrip(" (").startswith("for ") and bool(targets(after)[0])
        # "(6 weeks for nitrosoureas)": a longer wait for one drug class only
        (subtype if _IF_SUBTYPE.search(after) or for_class else general).append(days)
    if subtype and not general:
        general = [0.0]
    return general + subtype


# "Patients may continue TKIs until 3 days prior", "TKIs can be continued until ...",
# "Continuation of TKIs is permitted until ...": an allowance, not a washout
_MAY_CONTINUE = re.compile(
    r"\b(?:may|can|are (?:allowed|permitted) to) (?:continue|remain on|stay on|keep taking)\b"
    r"|\b(?:may|can) be (?:continued|maintained)\b"
    r"|\bcontinu(?:ation|ing)\b[^.;]{0,100}\b(?:is |are )?(?:allowed|permitted)\b"
)
_IF_SUBTYPE = re.compile(r"\b(?:if|in the case of|in case of)\b")


def _clauses(norm: str) -> list[tuple[str, str]]:
    """Pieces that each carry their own duration: split at ";" and sentence ends, then at commas,
    joining comma pieces without a duration to the next ("chemotherapy, targeted therapy within
    28 days")."""
    out: list[tuple[str, str]] = []  # (clause, the sentence it came from)
    for part in _CLAUSE.split(norm):
        pending = ""
        for piece in part.split(", "):
            pending = f"{pending}, {piece}" if pending else piece
            if _DURATION.search(piece):
                out.append((pending, part))
                pending = ""
        if pending:
            out.append((pending, part))
    return out


def prep_washout(crit_text: str, norm: str, section: str) -> Any:
    """Clauses of (durations in days, drug classes, categories, text): each duration belongs to
    the treatments named in its own clause ("3 weeks since chemotherapy; off G-CSF for 10 days"
    does not give chemotherapy a 10-day washout)."""
    clauses: list[Clause] = []
    for part, sentence in _clauses(norm):
        if _MAY_CONTINUE.search(part):
            # "Patients may continue TKIs until 3 days prior to ...": allows, requires nothing
            continue
        days = _days(part)
        banned, _allowed = split_exception(part)
        # "... prior to first dose of lymphodepleting chemotherapy": the study's own treatment
        # is the anchor, not a treatment the patient had
        banned = cues.cue("study_anchor").sub(" ", banned)
        classes, cats = targets(banned, agents_by_class=False)
        if not days:
            continue
        if not classes and not cats:
            if clauses and _IF_SUBTYPE.search(
                part
            ):  # "(42 days if nitrosourea)": the clause before
                prev = clauses[-1]
                longer = {d for d in days if d > 0}  # may prolong, never shorten, the wait
                longer_wait = tuple(sorted({*prev[0], *longer}))
                clauses[-1] = (longer_wait, prev[1], prev[2], prev[3], prev[4])
            continue
        half_lives = bool(_HALF_LIFE.search(sentence))
        if half_lives and not _LONGER.search(sentence):
            days = [0.0, *days]  # "4 weeks or 5 half-lives": the half-life may set a shorter wait
        clauses.append(
            (tuple(days), classes, cats, banned, half_lives and bool(_LONGER.search(sentence)))
        )
    current = not clauses and bool(_CURRENT.search(norm))
    classes, cats = targets(split_exception(norm)[0])
    recency = section == "inclusion" and bool(_RECENT.search(norm))
    return tuple(clauses), current, bool(classes or cats), recency


# "Has undergone diagnostic surgery within the past 8 weeks": the event must be recent (a window
# counted back from enrolment), the opposite of a washout
_RECENT = re.compile(
    r"\b(?:has|have|had) (?:undergone|had|received|been treated)\b|\bunderwent\b|\bmust have "
    r"(?:had|undergone|received)\b|\b(?:enrolled|registered|enrollment|registration|randomi[sz]ed)"
    r"\b[^.;]{0,30}\bwithin\b"
)


def judge_washout(spec: Any, crit: Criterion, facts: Facts) -> Judgement:
    clauses, current, names_treatment, recency = spec
    if recency and clauses:
        return _judge_recent(clauses, crit, facts)
    if current:
        # the list records past treatment; a treatment given now may simply be unlisted
        ended = all(t.ended_on and t.ended_on <= facts.as_of for t in facts.therapies)
        why = (
            "every listed therapy has ended; current treatment is not recorded"
            if names_treatment and facts.therapies and ended
            else "current treatment not stated"
        )
        return Judgement(UNKNOWN, why, f"no ongoing therapy: {crit.text[:90]}")
    if not clauses:
        return Judgement(
            UNKNOWN, "time limit or treatment not read", f"time since treatment: {crit.text[:100]}"
        )
    if not facts.therapies:
        return Judgement(
            UNKNOWN, "prior therapies not given", f"time since treatment: {crit.text[:100]}"
        )
    outcomes = [_clause(clause, crit, facts) for clause in clauses]
    for j in outcomes:
        if j.verdict == NOT_MET:
            return j
    unknown = next((j for j in outcomes if j.verdict == UNKNOWN), None)
    if unknown is not None:
        return unknown
    return Judgement(MET, "; ".join(j.reason for j in outcomes), handled=True)


def _judge_recent(clauses: tuple[Clause, ...], crit: Criterion, facts: Facts) -> Judgement:
    """A treatment required within a window: met only when a listed one ended inside it; never
    not_met (the event may be one the profile does not list, e.g. a diagnostic biopsy)."""
    days = max(d for clause in clauses for d in clause[0])
    relevant = [
        t for clause in clauses for t in facts.therapies
        if matches(t, clause[3], clause[1], clause[2], False) and t.ended_on is not None
    ]  # fmt: skip
    wanted = f"within {days:.0f} days before enrolment"
    if relevant:
        last = max(relevant, key=lambda t: t.ended_on or facts.as_of)
        assert last.ended_on is not None
        elapsed = (facts.as_of - last.ended_on).days
        if elapsed <= days:
            return Judgement(MET, f"{label(last)} {elapsed} days ago, {wanted}", rule="recent")
        reason = f"latest listed {label(last)} was {elapsed} days ago; required {wanted}"
    else:
        reason = f"no listed treatment of this type; required {wanted}"
    return Judgement(UNKNOWN, reason, f"recent treatment {wanted}: {crit.text[:90]}", rule="recent")


def _clause(clause: Clause, crit: Criterion, facts: Facts) -> Judgement:
    days, classes, cats, banned, or_half_lives = clause
    relevant = [t for t in facts.therapies if matches(t, banned, classes, cats, False)]
    if not relevant:
        # a treatment the profile does not list is unknown, not absent
        return Judgement(
            UNKNOWN,
            "no prior therapy of this type listed (an unlisted one is not ruled out)",
            f"time since treatment: {crit.text[:90]}",
            handled=True,
            rule="unlisted",
        )
    if any(t.ended_on is None for t in relevant):
        return Judgement(
            UNKNOWN,
            "end date of a relevant prior therapy not given",
            f"end date of prior {label(relevant[0])}",
        )
    last = max(relevant, key=lambda t: t.ended_on or facts.as_of)
    assert last.ended_on is not None
    elapsed = (facts.as_of - last.ended_on).days
    if elapsed >= max(days) and or_half_lives:
        # "14 days or 5 half-lives, whichever is longer": the fixed days are only the floor
        bound = drugs.longest_half_life(last.classes)
        if bound is None or elapsed < 5 * bound:
            why = (
                "its half-life is not in the drug data"
                if bound is None
                else (f"5 half-lives may be up to {5 * bound:.0f} days")
            )
            return Judgement(
                UNKNOWN,
                f"{label(last)} ended {elapsed} days ago; the wait is the longer of "
                f"{max(days):.0f} days and 5 half-lives ({why})",
                f"5 half-lives of {label(last)}: {crit.text[:90]}",
                rule="half_lives",
            )
    if elapsed >= max(days):
        missing = _unlisted(banned, facts)
        if missing:
            # "since prior radiotherapy or biologic therapy" with only a targeted drug listed:
            # the radiotherapy the profile does not list is not ruled out
            reason = (
                f"{label(last)} ended {elapsed} days ago, but no {', '.join(missing)} is listed "
                "(an unlisted one is not ruled out)"
            )
            verify = f"time since {', '.join(missing)}: {crit.text[:90]}"
            return Judgement(UNKNOWN, reason, verify, handled=True, rule="unlisted")
        return Judgement(
            MET, f"{label(last)} ended {last.ended_on} ({elapsed} days ago)", handled=True
        )
    if elapsed < min(days):
        ready = last.ended_on + timedelta(days=round(min(days)))
        reason = (
            f"{label(last)} ended {last.ended_on}, {elapsed} days ago; "
            f"needs {min(days):.0f} days (from {ready})"
        )
        return Judgement(NOT_MET, reason, handled=True)
    reason = f"{label(last)} ended {elapsed} days ago; the required interval depends on the agent"
    return Judgement(UNKNOWN, reason, f"washout after {label(last)}: {crit.text[:90]}")


def _unlisted(banned: str, facts: Facts) -> list[str]:
    """The treatments a washout names ("radiotherapy or biologic therapy") of which the profile
    lists none: met needs every one of them listed and clear of the window. A catch-all ("or
    other antitumor treatment") is any anticancer therapy: the listed history is what is known."""
    if cues.search("catch_all_treatment", banned):
        return []
    return [
        piece for piece, classes, cats in _pieces(banned)
        if not any(matches(t, piece, classes, cats, False) for t in facts.therapies)
    ]  # fmt: skip


@lru_cache(maxsize=8192)  # profile-independent: one split per criterion text
def _pieces(banned: str) -> tuple[tuple[str, frozenset[str], frozenset[str]], ...]:
    out = []
    # "(eg, pazopanib, regorafenib)": examples of what the rule names, not more to rule out
    for piece in _ALTERNATIVES.split(_EXAMPLES.sub(" ", banned)):
        classes, cats = targets(piece)
        if classes or cats:
            out.append((_SINCE.sub("", piece).strip() or piece.strip(), classes, cats))
    return tuple(out)


_ALTERNATIVES = re.compile(r",|;|\bor\b|\band\b|/")
_EXAMPLES = re.compile(r"\((?:eg|such as|for example|including)\b[^()]*\)|\([^()]*\betc\b[^()]*\)")
_SINCE = re.compile(r"^.*?\b(?:since|from|of|after)\s+(?:the\s+)?(?:last\s+)?(?:dose of\s+)?")


# --- radiation, transplant, amputation ----------------------------------------------------------


def body_sites(text: str) -> frozenset[str]:
    return frozenset(name for name, pattern in cues.body_sites() if pattern.search(text))


_FIELD = re.compile(
    r"\b(?:irradiated|radiation|radiotherapy) (?:field|port|site|volume)|\bpreviously irradiated\b"
)
_RAD_NEGATED = re.compile(
    r"\bno (?:prior |previous )?(?:radiat|radiotherap|irradiat)|"
    r"\bnot (?:have )?(?:received|had) (?:prior )?(?:radiat|radiotherap)"
)
_RAD_EXTENT = re.compile(
    r"%|\bpercent|\bbone marrow\b|\bpelvis\b|\bcraniospinal|\bwhole (?:lung|abdomen|brain)|"
    r"\btbi\b|\btotal body"
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
_RECURRENCE_AREAS = {"pulmonary": "lung", "cns": "brain"}


def prep_radiation(crit_text: str, norm: str, section: str) -> Any:
    about_prior = bool(_RAD_PRIOR.search(norm)) and not _SIDE_TOPIC.search(norm)
    field_rule, allowance = judge_field.prep_field(norm)
    return (
        bool(_TUMOR_SITE.search(norm)),
        bool(_FIELD.search(norm)),
        bool(_RAD_NEGATED.search(norm)),
        bool(_RAD_EXTENT.search(norm)),
        body_sites(norm),
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
            if t.category == "radiation" and body_sites((t.site or "").lower()) & named_sites
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
        if distant_only and not any(t.site and "lung" in body_sites(t.site.lower()) for t in rads):
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
        sites = [body_sites(t.site.lower()) if t.site else frozenset() for t in rads]
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
    areas = {_RECURRENCE_AREAS.get(s, s) for s in facts.recurrence_sites}
    rad_areas = [body_sites(t.site.lower()) if t.site else frozenset() for t in rads]
    # only sites with a known place (lung, brain) can be outside a field; regional nodes, bone,
    # marrow or "other distant" may lie anywhere, the irradiated area included
    placed = bool(areas) and areas <= set(_RECURRENCE_AREAS.values())
    if placed and all(rad_areas) and not any(a & areas for a in rad_areas):
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
