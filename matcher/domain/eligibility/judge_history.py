"""Judge for treatment timing: washout periods and recent-treatment windows, measured from each
listed therapy's `ended_on` (prior radiation, transplant and amputation: judge_procedures)."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from matcher.domain.eligibility import cues, drugs
from matcher.domain.eligibility.base import (
    MET,
    NOT_MET,
    UNKNOWN,
    Criterion,
    Facts,
    Judgement,
    Therapy,
)
from matcher.domain.eligibility.judge_therapy import label, matches, split_exception, targets
from matcher.domain.eligibility.text import in_brackets

# ("once every 2 weeks", "every 3 weeks", "q2 weeks": a schedule's frequency, no duration)
_DURATION = re.compile(r"(?<!\bevery )(?<!\bq)(\d+(?:\.\d+)?)\s*(days?|d\b|weeks?|wks?|months?)")
# "at least 7 days since G-CSF, at least 14 days since ..." splits; "Myelosuppressive
# chemotherapy: at least 21 days since ..." is one clause (the heading names the treatment)
_CLAUSE = re.compile(r";|\.\s|(?<!:)(?<!: )\bat least\b(?=[^;.]*\bsince\b)")
_CURRENT = re.compile(r"\bcurrent(?:ly)?\b|\bconcurrent|\bconcomitant\b|\bongoing\b|\breceiving\b")
_HALF_LIFE = re.compile(r"\bhalf li")
# a rule opening with current use, with a later alternative after ", or"
_CURRENT_THEN_OR = re.compile(r"^(?:concomitant|concurrent|current(?:ly)?)\b[^.;]*, or ")
_LONGER = re.compile(r"whichever is (?:greater|longer)")


class Clause(NamedTuple):
    """One duration's clause of a washout, read once per criterion text (prep_washout)."""

    days: tuple[float, ...]
    classes: frozenset[str]  # drug classes named
    cats: frozenset[str]  # treatment categories named
    text: str
    or_half_lives: bool  # "N days or 5 half-lives, whichever is longer"
    # drug classes given a longer wait of their own ("6 weeks for nitrosoureas")
    longer_for: frozenset[str]
    by_extent: bool  # radiation named by its field size ("craniospinal", "whole lung")
    # the body sites a surgery washout is limited to ("thoracic surgery"); empty: any surgery
    surgery_sites: frozenset[str]


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
        # "(≥ 42 days after nitrosoureas)": inside brackets, "after" a class names it too
        lead = ("for ", "after ") if in_brackets(text, m.start()) else ("for ",)
        for_class = after.lstrip(" (").startswith(lead) and bool(targets(after)[0])
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
        if (
            _MAY_CONTINUE.search(part)
            or cues.search("sample_timing", part)
            or cues.search("conditional_timing", part)
            or cues.search("condition_duration", part)
        ):
            # "Patients may continue TKIs until 3 days prior to ...": allows, requires nothing;
            # "a sample obtained within 3 months ... after the last treatment": a sample's date;
            # "... on the last line, if given <= 3 months before review": when the rule applies;
            # "neuropathy ... present for at least 6 weeks": how long a condition has lasted
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
                clauses[-1] = prev._replace(days=tuple(sorted({*prev.days, *longer})))
            continue
        half_lives = bool(_HALF_LIFE.search(sentence))
        whichever_longer = half_lives and bool(_LONGER.search(sentence))
        if half_lives and not whichever_longer:
            days = [0.0, *days]  # "4 weeks or 5 half-lives": the half-life may set a shorter wait
        clauses.append(
            Clause(
                tuple(days),
                classes,
                cats,
                banned,
                whichever_longer,
                _longer_wait_classes(banned),
                cues.search("radiation_extent", banned) is not None,
                _surgery_sites(banned) if "surgery" in cats else frozenset(),
            )
        )
    current = not clauses and bool(_CURRENT.search(norm))
    classes, cats = targets(split_exception(norm)[0])
    recency = section == "inclusion" and bool(_RECENT.search(norm))
    return tuple(clauses), current, bool(classes or cats), recency


# "Has undergone diagnostic surgery within the past 8 weeks": the event must be recent (a window
# counted back from enrolment), the opposite of a washout
_RECENT = re.compile(
    r"(?<!not )(?<!never )\b(?:has|have|had) (?:undergone|had|received|been treated)\b"
    r"|\bunderwent\b|\bmust have (?:had|undergone|received)\b"
    r"|\b(?:enrolled|registered|enrollment|registration|randomi[sz]ed)"
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
    outcomes = [_covered(c, j, clauses, facts) for c, j in zip(clauses, outcomes, strict=True)]
    for j in outcomes:
        if j.verdict == NOT_MET and _CURRENT_THEN_OR.match(crit.norm):
            # "Concomitant anticancer therapy, or live vaccines within 30 days": the wait may be
            # the last alternative's only; read as concomitant use, an ended therapy passes
            return Judgement(
                UNKNOWN,
                f"{j.reason}, if the wait applies to it (it may be the last alternative's only)",
                f"whether the wait applies: {crit.text[:90]}",
            )
        if j.verdict == NOT_MET:
            return j
    unknown = next((j for j in outcomes if j.verdict == UNKNOWN), None)
    if unknown is not None:
        return unknown
    return Judgement(MET, "; ".join(dict.fromkeys(j.reason for j in outcomes)), handled=True)


def _latest(therapies: list[Therapy], facts: Facts) -> tuple[Therapy, int]:
    """The therapy that ended last, and the days since it ended (each one has an end date)."""
    last = max(therapies, key=lambda t: t.ended_on or facts.as_of)
    assert last.ended_on is not None
    return last, (facts.as_of - last.ended_on).days


def _covered(clause: Clause, j: Judgement, clauses: tuple[Clause, ...], facts: Facts) -> Judgement:
    """A clause for a kind of drug no listed therapy is ("nitrosoureas within 6 weeks") inside a
    broader clause of the same rule ("systemic anticancer therapy within 4 weeks") that the
    listed therapies decide: the broader clause already takes the list as the patient's
    treatment of those categories, so the latest of them ending longer ago than this clause's
    wait settles this clause too."""
    if j.rule != "unlisted" or clause.or_half_lives or clause.by_extent or clause.surgery_sites:
        return j
    wanted = set(clause.cats) | {drugs.category_of_class(c) for c in clause.classes}
    if not wanted:
        return j
    for broad in clauses:
        if broad is clause or not wanted <= broad.cats:
            continue
        listed = [
            t for t in facts.therapies if matches(t, broad.text, broad.classes, broad.cats, False)
        ]
        if not listed or any(t.ended_on is None for t in listed):
            continue
        last, elapsed = _latest(listed, facts)
        if elapsed >= max(clause.days):
            why = (
                f"the latest listed {' or '.join(sorted(broad.cats))} therapy, {label(last)}, "
                f"ended {elapsed} days ago (longer than every wait)"
            )
            return Judgement(MET, why, handled=True)
    return j


def _judge_recent(clauses: tuple[Clause, ...], crit: Criterion, facts: Facts) -> Judgement:
    """A treatment required within a window: met only when a listed one ended inside it; never
    not_met (the event may be one the profile does not list, e.g. a diagnostic biopsy)."""
    days = max(d for clause in clauses for d in clause.days)
    relevant = [
        t for clause in clauses for t in facts.therapies
        if matches(t, clause.text, clause.classes, clause.cats, False) and t.ended_on is not None
    ]  # fmt: skip
    wanted = f"within {days:.0f} days before enrolment"
    if relevant:
        last, elapsed = _latest(relevant, facts)
        if elapsed <= days:
            return Judgement(MET, f"{label(last)} {elapsed} days ago, {wanted}", rule="recent")
        reason = f"latest listed {label(last)} was {elapsed} days ago; required {wanted}"
    else:
        reason = f"no listed treatment of this type; required {wanted}"
    return Judgement(UNKNOWN, reason, f"recent treatment {wanted}: {crit.text[:90]}", rule="recent")


def _clause(clause: Clause, crit: Criterion, facts: Facts) -> Judgement:
    days, banned = clause.days, clause.text
    relevant = [
        t for t in facts.therapies if matches(t, banned, clause.classes, clause.cats, False)
    ]
    if named := clause.surgery_sites:
        # "Thoracic surgery: >= 28 days since prior thoracotomy": surgery elsewhere is not it
        relevant = [
            t
            for t in relevant
            if t.category != "surgery" or not t.site or cues.sites_named(t.site.lower()) & named
        ]
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
    last, elapsed = _latest(relevant, facts)
    if elapsed >= max(days) and clause.or_half_lives:
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
    longer_for = clause.longer_for
    if elapsed >= min(days) and longer_for and not any(t.classes & longer_for for t in relevant):
        # "at least 3 weeks (at least 6 weeks for nitrosoureas)": the longer wait is for drugs
        # the patient did not have
        days = (min(days),)
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
    if elapsed < min(days) and last.category == "radiation" and clause.by_extent:
        # "12 weeks since craniospinal or whole-lung irradiation": whether the listed radiation
        # was of that size is not in the profile
        reason = (
            f"{label(last)} ended {elapsed} days ago; the wait of {min(days):.0f} days is for "
            "radiation of a field size the profile does not give"
        )
        return Judgement(UNKNOWN, reason, f"field of prior radiation: {crit.text[:90]}")
    if elapsed < min(days):
        ready = facts.as_of + timedelta(days=round(min(days)) - elapsed)  # end date + the wait
        reason = (
            f"{label(last)} ended {last.ended_on}, {elapsed} days ago; "
            f"needs {min(days):.0f} days (from {ready})"
        )
        return Judgement(NOT_MET, reason, handled=True)
    reason = f"{label(last)} ended {elapsed} days ago; the required interval depends on the agent"
    return Judgement(UNKNOWN, reason, f"washout after {label(last)}: {crit.text[:90]}")


def _longer_wait_classes(banned: str) -> frozenset[str]:
    """Drug classes a clause gives a longer wait of their own ("6 weeks for nitrosoureas", "42
    days if prior nitrosourea")."""
    found: set[str] = set()
    for m in _LONGER_FOR.finditer(banned):
        found |= targets(m.group(1))[0]
    return frozenset(found)


_LONGER_FOR = re.compile(
    r"\d+\s*(?:days?|d\b|weeks?|wks?|months?)\s*(?:if|for|after|in (?:the )?case of)\s+"
    r"(?:prior\s+)?([^);,]+)"
)


_ANY_SURGERY = re.compile(r"\b(?:other|any|major|minor) (?:major )?surg")


def _surgery_sites(banned: str) -> frozenset[str]:
    """Body sites a surgery washout is limited to, examples "(e.g., ...)" left out; none when it
    names any major or other surgery ("major surgery (e.g., thoracotomy)" is any)."""
    if _ANY_SURGERY.search(banned):
        return frozenset()
    return cues.sites_named(_EXAMPLES.sub(" ", banned))


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
