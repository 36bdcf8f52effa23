"""What every request handler needs, built once per app: settings, store, publisher, templates."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request

from matcher.settings import Settings
from matcher.store import Store
from workers.submission import Publish

TEMPLATES = Path(__file__).parent / "templates"
EXAMPLE_PROFILE = Path(__file__).parent / "example_profile.json"


def make_templates() -> jinja2.Environment:
    # Autoescape everything: criteria and titles are untrusted registry text.
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["km"] = lambda v: f"{v:,.0f} km" if v is not None else "—"
    return env


def example_profile() -> str:
    """The bundled example, re-dated to today so it always passes the date checks."""
    body = json.loads(EXAMPLE_PROFILE.read_text())
    body["assessed_on"] = date.today().isoformat()
    return json.dumps(body, indent=2)


class CeleryPublisher:
    """Publishes match tasks by name with a Celery app built from *these* settings (lazily)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: Any = None
        self._lock = threading.Lock()

    def app(self) -> Any:
        with self._lock:
            if self._app is None:
                from workers.celery_app import create_app

                self._app = create_app(self._settings)
            return self._app

    def __call__(self, profile_id: str, job_id: str) -> object:
        # The job id doubles as the Celery task id, as in workers.submission.
        return self.app().send_task(
            "trialmatch.match_profile", args=[profile_id, job_id], task_id=job_id
        )


@dataclass
class AppState:
    settings: Settings
    store: Store
    publish: Publish
    celery: CeleryPublisher  # also used by /healthz to test the broker connection
    templates: jinja2.Environment = field(default_factory=make_templates)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.tm
    return state
