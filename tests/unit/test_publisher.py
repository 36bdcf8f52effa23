"""Publishing follows the process's current settings, not the ones `app` first read (no broker
is contacted: only the apps' configuration is compared)."""

from __future__ import annotations

from matcher.settings import Settings
from workers.celery_app import app, publisher


def test_the_default_app_publishes_only_for_the_broker_it_was_configured_for() -> None:
    """Once `app` has read its configuration (the test-wide placeholder broker here), settings
    naming another Redis get an app for that Redis, the same one each time; settings naming
    `app`'s own broker get `app` itself."""
    first = app.conf.broker_url  # reading it configures `app` from the environment, if not yet
    other = Settings(redis_url="redis://127.0.0.1:7/0")
    assert first != other.redis_dsn
    chosen = publisher(other)
    assert chosen is not app
    assert chosen.conf.broker_url == other.redis_dsn
    assert publisher(other) is chosen
    assert publisher(Settings(redis_url=first)) is app
