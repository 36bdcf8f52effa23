"""GET /v1/profiles/{id}/report: the printable HTML report, and its "changed since" marker."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api import report
from api.auth import Board, State
from api.routes_results import read_changes
from matcher.erase import report_marker_key
from matcher.store import Store, redis_errors
from workers.submission import owned

router = APIRouter(tags=["report"])

# No script at all in a report: even if escaping failed, nothing could run.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def _previous_report(store: Store, profile_id: str) -> datetime | None:
    with redis_errors("reading the report marker"):
        raw = store.r.get(report_marker_key(store, profile_id))
    if not raw:
        return None
    try:
        return datetime.fromisoformat(str(raw))
    except ValueError:
        return None


def _mark_rendered(store: Store, profile_id: str, at: datetime, expires_at: datetime) -> None:
    with redis_errors("recording the report marker"):
        store.r.set(
            report_marker_key(store, profile_id), at.isoformat(), exat=int(expires_at.timestamp())
        )


@router.get(
    "/v1/profiles/{profile_id}/report",
    response_class=HTMLResponse,
    responses={404: {}, 200: {"content": {"text/html": {}}}},
)
def get_report(profile_id: str, board: Board, state: State) -> HTMLResponse:
    """A print-friendly report; "what changed" lists changes since this profile's last report."""
    stored = owned(state.store, profile_id, board)
    run = state.store.read_matches(profile_id)
    previous = _previous_report(state.store, profile_id)
    changes = read_changes(state.store, profile_id, previous)
    now = datetime.now(UTC)
    view = report.build(stored, run, changes, previous, now)
    html = state.templates.get_template("report.html").render(r=view)
    _mark_rendered(state.store, profile_id, now, stored.expires_at)
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})
