"""What every request handler needs, built once per app: settings, store, publisher, templates."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2
from fastapi import Request

from matcher.adapters.queue import TaskPublisher
from matcher.adapters.store import Store
from matcher.services.submission import Publish
from matcher.settings import Settings

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


@dataclass
class AppState:
    settings: Settings
    store: Store
    publish: Publish
    celery: TaskPublisher  # also used by /healthz to test the broker connection
    templates: jinja2.Environment = field(default_factory=make_templates)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def app_state(request: Request) -> AppState:
    state: AppState = request.app.state.tm
    return state
