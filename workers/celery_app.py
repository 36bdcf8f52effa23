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

__all__ = ["app", "celery_config", "create_app"]


@setup_logging.connect
def _configure_logging(**_: Any) -> None:
    # Connecting this signal stops Celery from installing its own handlers, so worker and beat
    # log with the same (payload-free) format as the API and CLI.
    configure_logging(get_settings())


def create_app(settings: Settings | None = None) -> Celery:
    """The worker's app: the shared broker configuration (adapters/queue.py) and the tasks."""
    return broker_app(settings, include=["workers.tasks", "workers.scheduled"])


app = create_app()

# Imported for its signal handlers (the worker's Prometheus endpoint), before any worker starts.
from workers import metrics_server  # noqa: E402, F401
