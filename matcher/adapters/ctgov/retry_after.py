"""`Retry-After` as a number of seconds (a 429/503 answer's hint, honoured by the client)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx


def retry_after_seconds(response: httpx.Response) -> float | None:
    """`Retry-After` as seconds (delta-seconds or HTTP-date); None when absent or unreadable.

    An HTTP-date is measured against the response's own `Date` header when present, so a skewed
    local clock does not stretch or shrink the wait.
    """
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        date_header = response.headers.get("Date")
        now = parsedate_to_datetime(date_header) if date_header else datetime.now(UTC)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None or now.tzinfo is None:
        return None
    return max(0.0, (when - now).total_seconds())
