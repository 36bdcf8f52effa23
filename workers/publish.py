"""Publishing a match task from inside the worker's world (the CLI, the lost-job sweep): through
the worker's Celery app for the process's current settings (workers.celery_app.publisher)."""

from __future__ import annotations

from matcher.adapters.queue import MATCH_TASK


def publish_with_default_app(profile_id: str, job_id: str) -> object:
    from workers.celery_app import publisher  # the Celery app is only needed to publish

    # By name, through the app for the current settings (the job record's Redis); the job id
    # doubles as the Celery task id, so the job record and task logs line up.
    return publisher().send_task(MATCH_TASK, args=[profile_id, job_id], task_id=job_id)
