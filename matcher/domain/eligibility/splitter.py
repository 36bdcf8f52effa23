"""Split a registry `eligibilityCriteria` text into individual criteria, keeping their structure.

Real texts use many heading spellings ("Key Inclusion Criteria", "DISEASE CHARACTERISTICS:",
"Inclusion Criteria:1.Age ..."), `*`, `-`, `•`, `1.` and nested bullets, wrapped lines, and bullet
lists flattened by mirrors (a "meets 1 of the following:" item followed by its alternatives at the
same level). Each item keeps its parent's text as context, whether it is one alternative of an OR
list, and any notes or exceptions written beneath it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from matcher.domain.eligibility import cues
from matcher.domain.eligibility.groups import participant_section

Section = Literal["inclusion", "exclusion"]

_HEADING = re.compile(
    r"^\s*(?:[*\-•·]\s*)?(?:[A-Za-z ]{0,30}?\b)?"
    r"(?P<word>inclusion|exclusion|eligibility|disease characteristics|patient characteristics|"
    r"prior concurrent therapy|ineligibility)"
    r"(?:\s+criteria)?(?:\s+(?:for|and)\b[^:]{0,60})?\s*:?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_BULLET = re.compile(
    r"^(?P<indent>[ \t]*)(?P<mark>[*\-•·▪◦●○]|\d{1,2}[.)](?!\d)|\(\d{1,2}\)|[a-z][.)](?=\s)|"
    r"\(?[ivx]{1,4}\)(?=\s))\s*(?P<text>.*)$"
)
_INLINE_NUMBERED = re.compile(r"(?:^|(?<=[;.]))\s*(\d{1,2})\.(?=\s*[A-Za-z])")
# "one of the following", "at least one of the following"
_ONE_OF_FOLLOWING_TEXT = r"\b(?:one|1|any|either|at least one)\b[^:.;]{0,40}\bfollowing\b"
_OR_PARENT = re.compile(
    rf"{_ONE_OF_FOLLOWING_TEXT}|\bincluding\b|\bsuch as\b|"
    r"\bone of\b|\bany of\b|\bor\s*:\s*$|\bdefined as one\b",
    re.IGNORECASE,
)
# the splitter reads raw text: the cue lists (data/cues.json), case-insensitive
_EXCEPTION_PARENT = re.compile(
    f"{cues.cue('exception').pattern}|{cues.cue('allowance').pattern}", re.IGNORECASE
)
_EXCEPTION_CHILD = re.compile(cues.cue("exception_note").pattern, re.IGNORECASE)


@dataclass(slots=True)
class Item:
    section: Section
    text: str
    indent: int  # raw indentation of the bullet
    parent: Item | None = None
    or_group: bool = False  # one alternative of an OR list ("meets 1 of the following:")
    flat: bool = False  # its parent was inferred from a flattened list (less certain)
    notes: list[str] = field(default_factory=list)
    children: int = 0
    absorbed_into: Item | None = None  # a note/exception item: its text went to this item

    @property
    def context(self) -> str:
        """The chain of parent texts, outermost first (what "the following" refers to)."""
        chain: list[str] = []
        node = self.parent
        while node is not None:
            chain.append(node.text)
            node = node.parent
        return " ".join(reversed(chain))


def _is_or_parent(text: str) -> bool:
    """Ends with ":" after words that introduce alternatives. Only the last sentence counts:
    "... resolved to grade 1 or less. ... patients must fulfill all of the following:" is no
    "one of the following"."""
    stripped = text.rstrip()
    if not stripped.endswith(":"):
        # "Cases histologically diagnosed with one of the following at initial diagnosis or at
        # relapse. Central review is not required before registration.": the introduction is
        # the first sentence, notes follow it
        lead = _SENTENCE.split(stripped)[0]
        return bool(_ONE_OF_FOLLOWING.search(lead)) and not _ALL_OF.search(stripped)
    tail = _SENTENCE.split(stripped[:-1])[-1]
    return bool(_OR_PARENT.search(f"{tail}:"))


_ONE_OF_FOLLOWING = re.compile(_ONE_OF_FOLLOWING_TEXT, re.IGNORECASE)
_ALL_OF = re.compile(r"\b(?:all|each|both|every)\b[^:.;]{0,20}\bfollowing\b", re.IGNORECASE)


_SENTENCE = re.compile(r"[.;:]\s")


# a short unbulleted line ending in a colon, no number in it ("Donor eligibility:", "Part B
# only:"); a wrapped sentence that happens to end a line in ":" is longer or carries numbers
_SUBHEADING = re.compile(r"^[A-Za-z][^\d:;.]{2,60}:$")
_LONG_HEADING = re.compile(r"^\s*[A-Za-z][^:;]{2,160}:\s*$")


def _heading(line: str) -> tuple[Section, str] | None:
    match = _HEADING.match(line)
    if match is None:
        return None
    rest = match.group("rest")
    head = line[: len(line) - len(rest)] if rest else line
    if len(head.strip()) > 70 or (rest.strip() and ":" not in head):
        return None
    word = match.group("word").lower()
    section: Section = "exclusion" if word in {"exclusion", "ineligibility"} else "inclusion"
    return section, rest.strip()


class _Splitter:
    """Line-by-line state machine; see `split_items`."""

    def __init__(self) -> None:
        self.items: list[Item] = []
        self.section: Section = "inclusion"
        self.stack: list[Item] = []  # items by raw indent: the real nesting
        self.flat: Item | None = None  # a ":" item whose children sit at its own level
        self.flat_or = False
        self.current: Item | None = None
        self.last_note_owner: Item | None = None

    def heading(self, section: Section) -> None:
        self.section = section
        self.stack.clear()
        self.flat = self.current = self.last_note_owner = None
        self.flat_or = False

    def subheading(self, line: str) -> None:
        """A heading line inside a section: a new root whose bullets follow at its level."""
        self.heading(self.section)
        self.bullet(line, 0)

    def continuation(self, line: str) -> None:
        owner = self.last_note_owner
        if owner is not None and owner.notes:
            owner.notes[-1] = f"{owner.notes[-1]} {line}"
        elif self.current is not None and (
            line.lower().startswith("note") or _EXCEPTION_CHILD.search(line)
        ):
            self.current.notes.append(line)
            self.last_note_owner = self.current
        elif self.current is not None:
            self.current.text = f"{self.current.text} {line}"
        else:
            for part in _split_inline(line):
                self.bullet(part, 0)

    def bullet(self, body: str, indent: int) -> None:
        while self.stack and self.stack[-1].indent >= indent:
            self.stack.pop()
        real_parent = self.stack[-1] if self.stack else None
        if self.flat is not None and indent < self.flat.indent:
            self.flat, self.flat_or = None, False
        prev = self.current
        if (
            real_parent is None
            and prev is not None
            and prev.indent == indent
            and prev.absorbed_into is None
            and prev.text.rstrip().endswith(":")
        ):
            # flattened list: the previous ":" item starts a run of children at its level
            own_or = _is_or_parent(prev.text)
            keeps = self.flat_or and not re.search(r"\b(?:must|should|required)\b", prev.text, re.I)
            self.flat, self.flat_or = prev, own_or or keeps
        parent = real_parent if real_parent is not None else self.flat
        if parent is not None and parent.absorbed_into is not None:
            self._absorb(parent.absorbed_into, body, indent)
            return
        if parent is not None and (
            _EXCEPTION_CHILD.search(body) or _EXCEPTION_PARENT.search(parent.text)
        ):
            self._absorb(parent, body, indent)
            return
        if parent is None and prev is not None and body.lower().startswith("note"):
            self._absorb(prev.absorbed_into or prev, body, indent)
            return
        if parent is not None and parent is self.flat and real_parent is None:
            # a flattened run decides by itself: "Patients must be:" ends an OR run even if
            # it looked like one more alternative of the list before it
            or_group = self.flat_or
        else:
            or_group = parent is not None and (_is_or_parent(parent.text) or parent.or_group)
        item = Item(self.section, body, indent, parent, or_group)
        item.flat = parent is not None and parent is self.flat and real_parent is None
        if parent is not None:
            parent.children += 1
        self.items.append(item)
        self.stack.append(item)
        self.current, self.last_note_owner = item, None

    def _absorb(self, owner: Item, body: str, indent: int) -> None:
        owner.notes.append(body)
        marker = Item(self.section, body, indent, owner, absorbed_into=owner)
        self.stack.append(marker)
        self.current, self.last_note_owner = marker, owner


def split_items(text: str) -> list[Item]:
    """Every criterion item, in order, with section, parent, OR-membership and notes."""
    state = _Splitter()
    after_blank = False
    lines = text.splitlines()
    for index, raw_line in enumerate(lines):
        if not raw_line.strip():
            after_blank = True
            continue
        blank_before, after_blank = after_blank, False
        heading = _heading(raw_line)
        if heading is not None:
            state.heading(heading[0])
            if participant_section(raw_line) and not heading[1]:
                # "Donor Eligibility:", "Caregiver Exclusion Criteria:": a section whose rules
                # are someone else's; the heading stays their parent (groups.participant_group)
                state.subheading(raw_line.strip())
                continue
            for part in _split_inline(heading[1]) if heading[1] else []:
                state.bullet(part, 0)
            continue
        bullet = _BULLET.match(raw_line)
        if bullet is None:
            # "Eligibility for R3 (maintenance ... for 12 months vs stop):" alone between blank
            # lines is a heading however long, numbers and all
            alone = blank_before and (index + 1 == len(lines) or not lines[index + 1].strip())
            if blank_before and (
                _SUBHEADING.match(raw_line.strip()) or (alone and _LONG_HEADING.match(raw_line))
            ):
                # "Family caregiver participants:" set apart by a blank line after a bullet: a
                # heading over the bullets that follow, not the end of the last bullet's text
                state.subheading(raw_line.strip())
                continue
            state.continuation(raw_line.strip())
            continue
        state.bullet(
            bullet.group("text").strip(), len(bullet.group("indent").replace("\t", "    "))
        )
    _or_by_conjunction(state.items)
    # a ":" item that only introduces children ("Patients must be:") is not itself a criterion
    return [
        it
        for it in state.items
        if it.text.strip() and not (it.children and it.text.rstrip().endswith(":"))
    ]


_ENDS_WITH_OR = re.compile(r"[,;]?\s+or\s*$", re.IGNORECASE)


def _or_by_conjunction(items: list[Item]) -> None:
    """ "Ewing sarcoma of bone or soft tissue, with an EWSR1-ETS fusion, or" / "high-grade
    osteosarcoma": siblings each joined to the next by a trailing "or" are alternatives,
    whatever their heading says ("Histologically confirmed diagnosis, at initial diagnosis or
    at relapse, of:")."""
    siblings: dict[int, list[Item]] = {}
    for it in items:
        if it.parent is not None and it.absorbed_into is None:
            siblings.setdefault(id(it.parent), []).append(it)
    for group in siblings.values():
        if len(group) < 2 or all(it.or_group for it in group):
            continue
        if all(_ENDS_WITH_OR.search(it.text) for it in group[:-1]):
            for it in group:
                it.or_group = True


def _split_inline(text: str) -> list[str]:
    """ "1.Age ≥5 years; 2.ECOG 0-3; 3.Life expectancy" -> three items (one-line records)."""
    parts = [p.strip(" ;") for p in _INLINE_NUMBERED.split(text)]
    out = [p for i, p in enumerate(parts) if p and not (i % 2 == 1 and p.isdigit())]
    return out or [text]
