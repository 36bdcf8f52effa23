"""Test-wide set-up.

`workers.celery_app` builds its app from the environment at import (as the worker must). In the
test process every Redis a test uses is passed explicitly, so the ambient URL points at a closed
port: anything that silently fell back to it would fail loudly instead of touching a real Redis.
"""

from __future__ import annotations

import os

# Shared fixtures, registered once instead of imported (with noqa) into each package.
pytest_plugins = ["tests.support.stack"]

for _name in list(os.environ):
    if _name.startswith("TRIALMATCH_"):
        del os.environ[_name]
os.environ["TRIALMATCH_REDIS_URL"] = "redis://127.0.0.1:9/0"
