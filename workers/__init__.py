"""The Celery edge of trialmatch: the one app, thin tasks, the beat schedule and the CLI."""
