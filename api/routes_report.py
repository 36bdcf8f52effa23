"""GET /v1/profiles/{id}/report: the printable HTML report. Safe: viewing it changes nothing.

"Changes since the last review" start at the board's explicit "reviewed at the meeting of
<date>" (POST /v1/profiles/{id}/reviewed), never at the previous view.
"""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api import report
from api.auth import Board, State
from api.routes_results import read_changes
from matcher.services.submission import owned

router = APIRouter(tags=["report"])

# No script at all in a report: even if escaping failed, nothing could run.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


@router.get(
    "/v1/profiles/{profile_id}/report",
    response_class=HTMLResponse,
    responses={404: {}, 200: {"content": {"text/html": {}}}},
)
def get_report(profile_id: str, board: Board, state: State) -> HTMLResponse:
    """A print-friendly report: facts to collect first, then changes since the board's last
    review, ranked trials, checklists with board answers. Viewing it changes nothing."""
    stored = owned(state.store, profile_id, board)
    run = state.store.read_matches(profile_id)
    review = state.store.last_review(profile_id)
    changes = read_changes(state.store, profile_id, review[0] if review else None)
    answers = list(state.store.read_answers(profile_id).values())
    view = report.build(stored, run, changes, review, datetime.now(UTC), answers)
    html = state.templates.get_template("report.html").render(r=view)
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP})
