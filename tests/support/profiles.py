"""The one example-profile factory of the test suites.

The bundled examples/*.json are constructed profiles (no real patient): tests take one, put it
under the board's own `reference`, date it today unless told otherwise, and apply `changes`.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from matcher.domain.models import ProfileIn
from matcher.domain.models.profile import parse_profile
from tests.support.procs import REPO

EXAMPLES = REPO / "examples"
DEFAULT_EXAMPLE = "synovial-pulmonary"
EXAMPLE = EXAMPLES / f"{DEFAULT_EXAMPLE}.json"  # the file itself, for CLI tests


def example_body(
    reference: str | None = None,
    *,
    example: str = DEFAULT_EXAMPLE,
    dated_today: bool = True,
    **changes: Any,
) -> dict[str, Any]:
    """The example profile as a dict: `reference` set when given, `assessed_on` today when
    `dated_today` (else the example's own date), then `changes` applied over both."""
    body: dict[str, Any] = json.loads((EXAMPLES / f"{example}.json").read_text())
    if reference is not None:
        body["reference"] = reference
    if dated_today:
        body["assessed_on"] = date.today().isoformat()
    body.update(changes)
    return body


def example_json(reference: str | None = None, **kw: Any) -> str:
    """`example_body` serialized, as a board would submit it."""
    return json.dumps(example_body(reference, **kw))


def example_profile(reference: str | None = None, **kw: Any) -> ProfileIn:
    """`example_body` parsed and validated as the API would (ProfileIn)."""
    return parse_profile(example_json(reference, **kw))
