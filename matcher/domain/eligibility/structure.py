"""A trial's criteria read together: what one item cannot say about itself.

Profile-independent passes over one eligibility text after each item is classified on its own:
OR groups ("meets one of the following") and per-cohort tumor rules get a group id (verdict.decide
is group-aware), rules under a cohort heading or an abbreviation the record defines ("SS
participants") are scoped to that tumor, reproductive-status items after a contraception rule are
its definition, and bare subtype names under a tumor's subtype heading are read as that tumor's
subtypes. A changed criterion is a copy: the interned one may sit in other trials' lists.
"""

from __future__ import annotations

import dataclasses
import re
import zlib
from typing import Any

from matcher.domain.eligibility import cues, projection, vocabulary
from matcher.domain.eligibility.base import Aspect, Criterion
from matcher.domain.eligibility.judges import REGISTRY, has_exception, part_specific
from matcher.domain.eligibility.notices import CHILDBEARING_DEFINITION, childbearing_definition
from matcher.domain.eligibility.scope import tumor_heading
from matcher.domain.eligibility.splitter import Item
from matcher.domain.eligibility.text import norm
from matcher.domain.eligibility.verdict import COHORT_GROUP, NESTED_GROUP, OPEN_GROUP

_REGISTERED = set(REGISTRY)


def apply(text: str, items: list[Item], criteria: list[Criterion]) -> tuple[Criterion, ...]:
    """The criteria of one text with the whole-text readings applied."""
    _abbreviated_scopes(text, criteria)
    return _with_groups(items, criteria)


def _group_root(item: Item) -> Item | None:
    """The outermost "one of the following" heading an alternative belongs to (nested lists
    under it are alternatives of the same choice: "Liposarcoma:" over its subtypes)."""
    node, root = item, None
    while node.or_group and node.parent is not None:
        root, node = node.parent, node.parent
    return root


def _with_groups(items: list[Item], criteria: list[Criterion]) -> tuple[Criterion, ...]:
    """Mark the alternatives of firm OR groups with their group id.

    A group is firm when it is in the inclusions, its heading is unconditional (no "for
    patients with", part/cohort, exception or tumor scope), it has at least two alternatives,
    and every item under its heading was read as an alternative (a flattened list that dropped
    an item of another kind may have lost an alternative, so it never excludes).
    """
    members: dict[int, list[int]] = {}
    heads: dict[int, Item] = {}
    dropped: set[int] = set()
    for i, (item, crit) in enumerate(zip(items, criteria, strict=True)):
        root = _group_root(item) if item.or_group else None
        if root is None:
            continue
        heads[id(root)] = root
        if crit.in_or_group and crit.section == "inclusion":
            members.setdefault(id(root), []).append(i)
        else:
            dropped.add(id(root))
    out = list(criteria)
    _cohorts(out)
    _childbearing(items, out)
    _cohort_headings(items, out)
    _cohort_labels(out)
    if not members:
        return tuple(out)
    # a record with no exclusions, or a list running to the end of the text, may have been cut
    # short (registry excerpts are): its missing alternatives may hold, so it never excludes
    cut = not any(c.section == "exclusion" for c in criteria)
    for key, idxs in members.items():
        head = heads[key]
        if key in dropped or len(idxs) < 2:
            continue
        if not _firm_heading(head.text):
            _part_cohorts(head.text, idxs, out)
            continue
        # nested lists ("Low-risk group" over its own requirements) are read as one choice
        # whose parts may be conjunctive: a met item there settles nothing (verdict.decide)
        nested = any(items[i].parent is not head for i in idxs)
        prefix = NESTED_GROUP if nested else "or-"
        if cut or idxs[-1] == len(items) - 1:
            prefix = f"{OPEN_GROUP}{prefix}"
        _mark(out, idxs, f"{prefix}{zlib.crc32(norm(head.text).encode()):08x}")
    return tuple(out)


def _mark(criteria: list[Criterion], idxs: list[int], gid: str) -> None:
    """Make the criteria at `idxs` alternatives of the group `gid`."""
    for i in idxs:
        # a copy: the interned criterion may sit in other trials' lists without this group
        criteria[i] = dataclasses.replace(criteria[i], alt_group=gid, results={}, memo={})


_ABBREVIATION = re.compile(r"((?:[A-Za-z][\w/-]*\s+){1,5})\(([A-Z]{2,6})\)")
_DEFINED = re.compile(r"\(([A-Z]{2,6})\)")
_ABBREVIATED_WHO = re.compile(r"^([a-z]{2,6}) (?:participants|patients|subjects|cohort)\b")


def _abbreviated_scopes(text: str, criteria: list[Criterion]) -> None:
    """ "SS participants must have received ..." where the record defines "synovial sarcoma
    (SS)": a rule scoped to that tumor (not applicable to a patient with another)."""
    defined = {a.lower() for a in _DEFINED.findall(text)}
    if not defined:
        return
    wanted = [
        (i, m.group(1)) for i, c in enumerate(criteria) if (m := _ABBREVIATED_WHO.match(c.norm))
    ]
    if not any(abbr in defined for _i, abbr in wanted):
        return
    tumors: dict[str, tuple[str, ...]] = {}
    for words, abbr in _ABBREVIATION.findall(text):
        found = tuple(c for c in vocabulary.find_concepts(norm(words)) if c not in _BROAD)
        if found:
            tumors.setdefault(abbr.lower(), found)
    for i, abbr in wanted:
        crit = criteria[i]
        if crit.scope or crit.not_applicable is not None:
            continue
        scope = tumors.get(abbr)
        if scope:
            criteria[i] = dataclasses.replace(
                crit, scope=scope, scope_negated=False, constant=False, results={}, memo={},
                reads=_scoped_reads(crit),
            )  # fmt: skip


def _scoped_reads(crit: Criterion) -> int:
    """The fields a criterion given a tumor scope reads: its aspects', the scope's, and its
    condition's (condition.py), which still decides whether it applies."""
    reads = projection.reads_of(crit.aspects, True, crit.group, _REGISTERED)
    return reads if crit.condition is None else projection.union(reads, crit.condition.reads)


def _childbearing(items: list[Item], criteria: list[Criterion]) -> None:
    """Reproductive-status items ("Postmenopausal", "History of hysterectomy") that follow a
    childbearing-potential/contraception rule with no bullet of their own to hang from (the
    splitter sees no parent): they define whom that rule covers, so they are not applicable."""
    for i, (item, crit) in enumerate(zip(items, criteria, strict=True)):
        if item.parent is not None or crit.not_applicable is not None or i == 0:
            continue
        if not cues.search("reproductive_status", crit.norm):  # cheap test first
            continue
        before = " ".join(norm(it.text) for it in items[max(0, i - 4) : i])
        if childbearing_definition(crit.norm, before):
            criteria[i] = dataclasses.replace(
                crit, not_applicable=CHILDBEARING_DEFINITION, constant=True, results={}, memo={}
            )


def _cohort_headings(items: list[Item], criteria: list[Criterion]) -> None:
    """The rules under a cohort heading ("Group A patients:") whose own diagnosis rule names one
    tumor ("Have the diagnosis of DSRCT with peritoneal involvement") are that tumor's cohort's
    rules: scoped to it (not applicable to a patient with another tumor). The diagnosis rule
    itself keeps its own reading, so a patient with no cohort is never made eligible by it."""
    by_parent: dict[int, list[int]] = {}
    for i, item in enumerate(items):
        parent = item.parent
        if parent is not None and criteria[i].section == "inclusion":
            by_parent.setdefault(id(parent), []).append(i)
    for idxs in by_parent.values():
        parent = items[idxs[0]].parent
        assert parent is not None
        label = _SENTENCE_END.split(parent.text.rstrip().rstrip(":"))[-1]
        if not part_specific(norm(label)) or len(idxs) < 2:
            continue
        tumors = [
            (i, tuple(c for c in vocabulary.find_concepts(criteria[i].norm) if c not in _BROAD))
            for i in idxs
            if "diagnosis" in {a.kind for a in criteria[i].aspects}
        ]
        named = [(i, t) for i, t in tumors if t]
        if len(named) != 1:
            continue
        owner, scope = named[0]
        for i in idxs:
            crit = criteria[i]
            if i == owner or crit.scope or crit.not_applicable is not None:
                continue
            criteria[i] = dataclasses.replace(
                crit, scope=scope, scope_negated=False, constant=False, results={}, memo={},
                reads=_scoped_reads(crit),
            )  # fmt: skip


_SENTENCE_END = re.compile(r"[.;]\s")
# "Cohort 1 (ASPS): ...", "Cohort 1A (treatment-naive ASPS): ...", "Cohorts 2 and 3 only: ..."
_COHORT_LABEL = re.compile(
    r"^(?P<word>cohort|part|arm|strat)(?:s|a|um)? (?P<ids>{id}(?:(?:,| and| or|,? and) {id})*)"
    r"(?: \([^()]{{0,60}}\))?(?: only)?\s*:".format(id=r"(?:[0-9]{1,2}[a-z]?|[a-z][0-9]?)\b")
)
_ID = re.compile(r"\b(?:[0-9]{1,2}[a-z]?|[a-z][0-9]?)\b")


def _cohort_ids(found: re.Match[str] | None) -> tuple[str, ...]:
    """("cohort 1",), ("part b",), ("cohort 2", "cohort 3") of a rule's cohort label."""
    if found is None:
        return ()
    ids = _ID.findall(found.group("ids").replace(" and ", " ").replace(" or ", " "))
    # "Part B" is not "Cohort B": the word is part of the label
    return tuple(f"{found.group('word')} {cid}" for cid in ids)


def _cohort_tumors(criteria: list[Criterion]) -> dict[str, tuple[str, ...]]:
    """Cohort label -> the tumors its definition takes ("Cohort 1 (ASPS): alveolar soft part
    sarcoma"): a diagnosis rule under one label that names its tumors first, none of them a
    broad group; "Part B: no more than 2 prior regimens for MPNST" defines nothing."""
    tumors: dict[str, tuple[str, ...]] = {}
    for crit in criteria:
        found = _COHORT_LABEL.match(crit.norm)
        ids = _cohort_ids(found)
        kinds = {a.kind for a in crit.aspects}
        if found is None or len(ids) != 1 or "diagnosis" not in kinds or kinds - _DEFINING_KINDS:
            continue
        # the tumors the cohort takes: those named before any "not eligible"/"except"
        taken = _NOT_TAKEN.split(crit.norm[found.end() :], 1)[0]
        at = vocabulary.find_concepts_at(taken)
        if at is None or at > _DEFINITION_LEAD:
            continue  # the tumor comes late: it qualifies another rule
        named = tuple(vocabulary.find_concepts(taken))
        # a broad group among them ("non-rhabdomyosarcoma soft tissue sarcoma") takes too many
        # tumors to scope by
        if not set(named) & _BROAD - vocabulary.generic_only_in_passing(taken):
            tumors[ids[0]] = named
    return tumors


def _cohort_labels(criteria: list[Criterion]) -> None:
    """Rules labelled with cohorts ("Cohort 1: TFE3 rearrangement by FISH", "Cohorts 2 and 3
    only: progression within 6 months") where the record defines each of those cohorts by tumor
    (_cohort_tumors): scoped to those tumors, so not a question for a patient with another. A
    cohort defined otherwise (by age, a biomarker, a broad group) or not at all leaves its rules
    for everyone; a cohort's own tumor rule keeps its reading (a cohort group, _cohorts)."""
    tumors = _cohort_tumors(criteria)
    if not tumors:
        return
    for i, crit in enumerate(criteria):
        ids = _cohort_ids(_COHORT_LABEL.match(crit.norm))
        if not ids or crit.scope or crit.not_applicable is not None:
            continue
        if "diagnosis" in {a.kind for a in crit.aspects}:
            continue
        scope: list[str] = []
        for cid in ids:
            # "cohort 1a" is a part of cohort 1, "part b1" of part b
            n = cid.split()[-1]
            mixed = len(n) > 1 and n[0].isdigit() != n[-1].isdigit()
            own = tumors.get(cid) or (tumors.get(cid[:-1]) if mixed else None)
            if own is None:
                break  # a cohort the record does not define by tumor: for everyone
            scope += [c for c in own if c not in scope]
        else:
            criteria[i] = dataclasses.replace(
                crit, scope=tuple(scope), scope_negated=False, constant=False, results={},
                memo={}, reads=_scoped_reads(crit),
            )  # fmt: skip


# a cohort's definition names its tumors first ("alveolar soft part sarcoma", "patients with
# histologically confirmed synovial sarcoma")
_DEFINITION_LEAD = 40
_NOT_TAKEN = re.compile(r"\b(?:not eligible|are excluded|is excluded|except|other than)\b|;|\. ")


def _cohorts(criteria: list[Criterion]) -> None:
    """Group the per-cohort diagnosis rules ("Part B1: patients with relapsed or refractory
    neuroblastoma", "Part B3: ... rhabdomyosarcoma"): each is one cohort's tumor, not met for a
    patient with another. The record may have cohorts with no such line (a dose-escalation part
    open to any solid tumor), so the group never excludes by itself (verdict.OPEN_GROUP)."""
    idxs = [
        i for i, c in enumerate(criteria)
        if c.section == "inclusion" and not c.in_or_group and c.part_specific and not c.scope
        and "diagnosis" in (kinds := {a.kind for a in c.aspects}) and kinds <= _COHORT_KINDS
    ]  # fmt: skip
    if len(idxs) < 2:
        return
    _mark(criteria, idxs, f"{COHORT_GROUP}{zlib.crc32(criteria[idxs[0]].norm.encode()):08x}")


def _part_cohorts(heading: str, idxs: list[int], criteria: list[Criterion]) -> None:
    """ "Part B only - participants must fit into one of the following histology cohorts:" over
    "Cohort B1: rhabdomyosarcoma", "Cohort B2: synovial sarcoma with SS18 rearrangement": one
    part's cohorts by tumor, each not met by a patient with another tumor. Another part may take
    any tumor, so the group never excludes by itself (verdict.OPEN_GROUP)."""
    n = norm(heading)
    if not part_specific(n) or has_exception(n) or tumor_heading(heading):
        return  # ("Part B only - participants must ..." reads as a condition too: the part's)
    if not all(
        "diagnosis" in (kinds := {a.kind for a in criteria[i].aspects}) and kinds <= _DEFINING_KINDS
        for i in idxs
    ):
        return
    _mark(criteria, idxs, f"{COHORT_GROUP}{zlib.crc32(n.encode()):08x}")


_COHORT_KINDS = frozenset({"diagnosis", "disease_setting"})
# what a cohort's definition may read besides its tumors ("Cohort A: ASPS with TFE3 fusion")
_DEFINING_KINDS = _COHORT_KINDS | {"biomarker"}


def _firm_heading(text: str) -> bool:
    # "Cases diagnosed with one of the following ... . Central review is not required before
    # registration.": the sentence that introduces the list decides, not the notes after it
    intro = [s for s in _SENTENCES.split(text) if "following" in s.lower()]
    n = norm(intro[0] if intro else text)
    return not (
        part_specific(n) or has_exception(n) or _CONDITIONAL_HEAD.search(n) or tumor_heading(text)
    )


_CONDITIONAL_HEAD = cues.cue("condition")
_SENTENCES = re.compile(r"(?<=[.;])\s+")


_SUBTYPE_ITEM = re.compile(r"^[a-z][a-z \-]{2,40}$")
_NOS = re.compile(r"^not otherwise specified\s*\(?nos\)?$|^nos$")
_SUBTYPE_HEAD = re.compile(r"\b(?:subtypes?|types?|variants?|histolog\w*)\b")
_VERB = re.compile(r"\b(?:must|have|has|with|without|is|are|be|no|not|any|other|all)\b")


def subtype_spec(n_own: str, parent_text: str) -> tuple[str, tuple[str, ...], str] | None:
    """("subtype", heading tumors, their names) for a bare subtype name under a heading that
    lists one tumor's subtypes; None otherwise (a word list, a verb, no specific tumor)."""
    n_own = _NOS.sub("not otherwise specified", n_own)
    if n_own != "not otherwise specified" and (
        not _SUBTYPE_ITEM.match(n_own) or len(n_own.split()) > 4 or _VERB.search(n_own)
    ):
        return None
    head = norm(parent_text)
    if not _SUBTYPE_HEAD.search(head):
        return None
    tumors = tuple(c for c in vocabulary.find_concepts(head) if c not in _BROAD)
    if not tumors:
        return None
    return "subtype", tumors, ", ".join(vocabulary.concept_name(c) for c in tumors)


_BROAD = frozenset(
    {"neoplasm", "solid_tumor", "sarcoma", "soft_tissue_tumor", "sts", "nrsts", "bone_sarcoma"}
)


def subtype_criterion(item: Item, full: str, n_own: str, spec: Any) -> Criterion:
    aspects = (Aspect("diagnosis", spec),)
    return Criterion(
        section="exclusion" if item.section == "exclusion" else "inclusion",
        text=full,
        norm=n_own,
        aspects=aspects,
        in_or_group=True,
        reads=projection.reads_of(aspects, False, (), _REGISTERED),
    )
