"""Publishing a match task from inside the worker's world (the CLI, the lost-job sweep): through
the worker's own Celery app, configured from the environment."""

from __future__ import annotations


def publish_with_default_app(profile_id: str, job_id: str) -> object:
    from workers.tasks import match_profile  # the Celery app is only needed to publish

    # The job id doubles as the Celery task id, so the job record and task logs line up.
    return match_profile.apply_async(args=[profile_id, job_id], task_id=job_id)
