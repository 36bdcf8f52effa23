"""The task queue as the API and the CLI use it: the broker configuration, and publishing a
task by its name.

Why this lives in `matcher` and not in `workers/`: publishing needs only the broker's
configuration (URL, key prefix, timeouts, TLS), never the task code. One `celery_config` that
both sides import means the API publishes with exactly the transport options the workers consume
with (a drift would, say, put messages under another key prefix), while `api` never imports
`workers` (tests/unit/test_layering.py). workers/celery_app.py builds the worker's app from the
same configuration and adds the task modules and the worker's signal handlers.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Sequence
from typing import Any

from celery import Celery

from matcher.adapters.keys import Keys
from matcher.settings import Settings, get_settings

# The registered name of the match task (workers/tasks.py `match_profile`).
MATCH_TASK = "trialmatch.match_profile"


def celery_config(settings: Settings) -> dict[str, Any]:
    transport: dict[str, Any] = {
        # Unacked messages come back only after this; it must exceed time limit + retry backoff
        # (Settings refuses otherwise) or a slow task is delivered twice, concurrently.
        "visibility_timeout": settings.broker_visibility_timeout_s,
        # Without a socket timeout a publish to a paused Redis waits forever.
        "socket_timeout": settings.redis_socket_timeout_s,
        "socket_connect_timeout": settings.redis_connect_timeout_s,
        # Detect half-dead connections (NAT, failover) before using them.
        "health_check_interval": 25,
        # Broker keys under our prefix: one ACL pattern (~tm:*) covers the whole service.
        "global_keyprefix": Keys(settings.key_prefix).broker_prefix(),
    }
    if settings.broker_unacked_restore_interval_s is not None:
        # Tests shrink kombu's unacked sweep (default ~100 s) to see redelivery within seconds.
        transport["unacked_restore_interval"] = settings.broker_unacked_restore_interval_s
    if settings.broker_unacked_restore_throttle is not None:
        transport["unacked_restore_throttle"] = settings.broker_unacked_restore_throttle
    if settings.broker_unacked_mutex_expire_s is not None:
        transport["unacked_mutex_expire"] = settings.broker_unacked_mutex_expire_s
    config: dict[str, Any] = {
        "broker_url": settings.redis_dsn,
        "broker_transport_options": transport,
        # A worker started before Redis (compose, reboot) waits for it instead of exiting.
        "broker_connection_retry_on_startup": True,
        # Submitting must fail within seconds when Redis is down, not retry for a minute.
        "task_publish_retry_policy": {
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.5,
            "interval_max": 1,
        },
        # Ack after the task ran: a crash mid-task redelivers the task instead of losing it.
        "task_acks_late": True,
        # A SIGKILLed/OOM-killed child requeues its task; the delivery guard bounds the loop.
        "task_reject_on_worker_lost": True,
        # Reserve one task per process: prefetched messages age against the visibility timeout.
        "worker_prefetch_multiplier": 1,
        # After a broker connection loss unacked tasks are redelivered; cancel ours to avoid
        # running them twice in parallel (default changes to True in Celery 6).
        "worker_cancel_long_running_tasks_on_connection_loss": True,
        # JSON only: a broker message can never carry pickled code.
        "task_serializer": "json",
        "accept_content": ["json"],
        "result_serializer": "json",
        # Matches live in our own keys; no result backend means no extra copies of anything.
        "task_ignore_result": True,
        "task_store_errors_even_if_ignored": False,
        # Hard/soft limits below the visibility timeout (validated in Settings).
        "task_time_limit": settings.task_time_limit_s,
        "task_soft_time_limit": settings.task_soft_time_limit_s,
        "task_default_queue": "trialmatch",
        # Events let Flower show the queue; task arguments are ids only, so nothing sensitive.
        "worker_send_task_events": True,
        "task_send_sent_event": True,
        # Our logging configuration stays in charge (it logs ids, never payloads).
        "worker_hijack_root_logger": False,
        # A child that leaks memory is replaced rather than growing until the OOM killer acts.
        "worker_max_memory_per_child": 400_000,  # KiB
        "worker_concurrency": settings.worker_concurrency,
        "enable_utc": True,
        "timezone": "UTC",
        # Periodic work. `expires` drops a run that waited longer than its period (a late or
        # duplicated beat tick), and the tasks themselves hold a Redis lock and de-duplicate.
        "beat_schedule": {
            "sync-and-rematch": {
                "task": "trialmatch.sync_and_rematch",
                "schedule": float(settings.sync_interval_s),
                "options": {"expires": settings.sync_interval_s},
            },
            "requeue-lost-jobs": {
                "task": "trialmatch.requeue_lost_jobs",
                "schedule": 300.0,
                "options": {"expires": 300},
            },
            "purge-expired": {
                "task": "trialmatch.purge_expired",
                "schedule": float(settings.purge_interval_s),
                "options": {"expires": settings.purge_interval_s},
            },
        },
    }
    if settings.redis_dsn.startswith("rediss://"):
        # kombu treats a rediss:// broker without ssl options as CERT_NONE ("defaulting to
        # insecure SSL behaviour"): verify the certificate exactly like the store client does.
        reqs = ssl.CERT_NONE if settings.redis_tls_insecure else ssl.CERT_REQUIRED
        config["broker_use_ssl"] = {"ssl_cert_reqs": reqs}
    return config


def broker_app(settings: Settings | None = None, include: Sequence[str] = ()) -> Celery:
    """A Celery app configured for this deployment's broker; `include` names task modules (the
    worker's), none to only publish."""
    app = Celery("trialmatch", include=list(include))
    if settings is None:
        # Read the environment on first use, not on import: importing this module (the API, the
        # benchmarks, `trialmatch match`) must not require a broker URL.
        app.add_defaults(lambda: celery_config(get_settings()))
    else:
        app.conf.update(celery_config(settings))
    return app


class TaskPublisher:
    """Publishes match tasks by name with a broker app built from *these* settings (lazily, on
    the first publish or broker check, so building the API needs no broker)."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._app: Celery | None = None
        self._lock = threading.Lock()

    def app(self) -> Celery:
        with self._lock:
            if self._app is None:
                self._app = broker_app(self._settings)
            return self._app

    def __call__(self, profile_id: str, job_id: str) -> object:
        # The job id doubles as the Celery task id, so the job record and task logs line up.
        return self.app().send_task(MATCH_TASK, args=[profile_id, job_id], task_id=job_id)
