"""The workers' Celery app: the broker configuration of matcher/adapters/queue.py (every setting
carries the reason it is set; see `docs/research/celery-redis-reliability.md` for the failure
modes behind them) plus the task modules and the worker's logging."""

from __future__ import annotations

from typing import Any

from celery import Celery
from celery.signals import setup_logging

from matcher.adapters.queue import broker_app, celery_config
from matcher.logs import setup_logging as configure_logging
from matcher.settings import Settings, get_settings

__all__ = ["app", "celery_config", "create_app", "publisher"]


@setup_logging.connect
def _configure_logging(**_: Any) -> None:
    # Connecting this signal stops Celery from installing its own handlers, so worker and beat
    # log with the same (payload-free) format as the API and CLI.
    configure_logging(get_settings())


def create_app(settings: Settings | None = None) -> Celery:
    """The worker's app: the shared broker configuration (adapters/queue.py) and the tasks."""
    return broker_app(settings, include=["workers.tasks", "workers.scheduled"])


app = create_app()
_PUBLISHERS: dict[tuple[str, str], Celery] = {}


def publisher(settings: Settings | None = None) -> Celery:
    """The app to publish with under the process's current settings (default: get_settings()).

    `app` reads its configuration once, at first use. In a process whose settings change after
    that (get_settings.cache_clear(): the test suite, whose placeholder broker URL a test may
    have frozen into `app` before another points the settings at its own Redis), publishing
    through `app` would send the task to the first broker while the job record goes to the
    current Redis. Then an app configured for the current settings is used, one per broker."""
    settings = settings or get_settings()
    config = celery_config(settings)
    broker = (config["broker_url"], config["broker_transport_options"]["global_keyprefix"])
    current = (app.conf.broker_url, app.conf.broker_transport_options.get("global_keyprefix"))
    if current == broker:
        return app
    if broker not in _PUBLISHERS:
        _PUBLISHERS[broker] = create_app(settings)
    return _PUBLISHERS[broker]


# Imported for its signal handlers (the worker's Prometheus endpoint), before any worker starts.
from workers import metrics_server  # noqa: E402, F401
