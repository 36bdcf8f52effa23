"""The worker's Prometheus endpoint: task durations, CT.gov requests and retries, verdicts.

Celery's prefork children record metrics; prometheus-client's multiprocess mode (files in
PROMETHEUS_MULTIPROC_DIR) lets the main process serve their sum on TRIALMATCH_WORKER_METRICS_PORT.
`trialmatch worker` sets the directory up; without it (or with port 0) nothing is served.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery.signals import worker_init, worker_process_shutdown

from matcher.settings import get_settings

log = logging.getLogger(__name__)


@worker_init.connect
def _serve_metrics(**_: Any) -> None:
    port = get_settings().worker_metrics_port
    if not port or "PROMETHEUS_MULTIPROC_DIR" not in os.environ:
        return
    from prometheus_client import CollectorRegistry, start_http_server
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped upstream
    start_http_server(port, registry=registry)
    log.info("worker metrics on port %d", port)


@worker_process_shutdown.connect
def _child_gone(pid: int | None = None, **_: Any) -> None:
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ and pid is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]  # untyped upstream
