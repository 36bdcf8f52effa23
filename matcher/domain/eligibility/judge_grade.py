"""A grade written into a diagnosis criterion ("sarcoma (grade 2 or 3)", "high grade"), judged
from the profile's `tumor.grade` or, failing that, the grade a histology has by definition
(vocabulary "grade": infantile fibrosarcoma is low grade)."""

from __future__ import annotations

import re

from matcher.domain.eligibility import vocabulary
from matcher.domain.eligibility.base import MET, NOT_MET, UNKNOWN, Facts, Judgement

_GRADE_NUMBERS = {"1": 1, "i": 1, "one": 1, "2": 2, "ii": 2, "two": 2, "3": 3, "iii": 3, "three": 3}
_GRADE_LIST = re.compile(
    r"\bgrades? ((?:[1-3]|iii|ii|i|one|two|three)\b(?:\s*(?:,|or|and|to|-)?\s*"
    r"(?:[1-3]|iii|ii|i|one|two|three)\b)*)"
)
_GRADE_WORDS = re.compile(r"\b(high|intermediate|low) grade\b")
_GRADE_OF_WORD = {"high": frozenset({2, 3}), "intermediate": frozenset({2}), "low": frozenset({1})}


def grades_required(norm: str) -> frozenset[int]:
    """Grades (1-3, FNCLCC-like) a diagnosis criterion requires; empty when it names none."""
    wanted: set[int] = set()
    for m in _GRADE_LIST.finditer(norm):
        numbers = [
            _GRADE_NUMBERS[w] for w in re.findall(r"[1-3]|iii|ii|i\b|one|two|three", m.group(1))
        ]
        if re.search(r"\bto\b|-", m.group(1)) and len(numbers) == 2:
            numbers = list(range(numbers[0], numbers[1] + 1))
        wanted.update(numbers)
    for m in _GRADE_WORDS.finditer(norm):
        wanted |= _GRADE_OF_WORD[m.group(1)]
    return frozenset(wanted)


def judge_grade(grades: frozenset[int], covered: str, facts: Facts, *, single: bool) -> Judgement:
    """The diagnosis fits; a grade written into the criterion is judged from the profile's grade
    or, failing that, the grade the histology has by definition (vocabulary "grade")."""
    if not grades:
        return Judgement(MET, covered, handled=True)
    wanted = " or ".join(str(g) for g in sorted(grades))
    grade, source = facts.grade, "profile"
    if grade is None:
        grade, source = vocabulary.grade_by_definition(facts.concept), "by definition"
    if grade is None:
        return Judgement(
            UNKNOWN,
            f"{covered}; tumor grade not given (criterion requires grade {wanted})",
            f"tumor grade {wanted}",
            rule="grade",
        )
    if grade in grades:
        return Judgement(
            MET,
            f"{covered}; grade {grade} ({source}) fits grade {wanted}",
            handled=True,
            rule="grade",
        )
    why = f"criterion requires grade {wanted}; {facts.diagnosis} is grade {grade} ({source})"
    if not single:
        # "grade 2 or 3 chondrosarcoma, or clear cell sarcoma": the grade may belong to another
        # tumor of the list
        return Judgement(UNKNOWN, why, f"tumor grade {wanted}", rule="grade")
    return Judgement(NOT_MET, why, handled=True, rule="grade")
