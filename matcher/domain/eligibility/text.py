"""Text normalisation shared by the vocabulary, drug and criterion matchers.

Everything is matched on one normal form (lower case; hyphens, slashes and possessive 's turned
into spaces) so that "Ewing's sarcoma", "ewing-sarcoma" and "EWING SARCOMA" meet the same synonym.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

_POSSESSIVE = re.compile(r"(?<=\w)['’]s\b")
_SEPARATORS = re.compile(r"[-‐‑–—/_]+")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=65536)  # parent headings and boilerplate recur across items and trials
def norm(text: str) -> str:
    """Lower case with possessives, hyphens and slashes folded to single spaces."""
    text = _POSSESSIVE.sub("", text.lower())
    text = _SEPARATORS.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


def phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    """One alternation over normalised phrases, longest first, whole words, optional plural s.

    Longest first matters: at one position "ewing sarcoma" must win over "sarcoma", so that the
    generic word is not counted inside a specific diagnosis.
    """
    unique = sorted({norm(p) for p in phrases if p.strip()}, key=len, reverse=True)
    body = "|".join(re.escape(p) for p in unique)
    return re.compile(rf"(?<![\w])(?:{body})(?:e?s)?(?![\w])")


def in_brackets(text: str, pos: int) -> bool:
    """True when `pos` lies inside a bracket left open before it ("... (42 days after|")."""
    return text.count("(", 0, pos) > text.count(")", 0, pos)


def clause_end(text: str, start: int) -> int:
    """Where the clause that opens at `start` ends: after its bracket's close when it opens inside
    a bracket ("(except vitiligo) or hepatitis B"), else at its sentence's end."""
    if in_brackets(text, start):
        close = text.find(")", start)
        return len(text) if close < 0 else close + 1
    stop = _SENTENCE_STOP.search(text, start)
    return len(text) if stop is None else stop.start()


_SENTENCE_STOP = re.compile(r"[.;](?=\s|$)")
