"""Skip-or-fail for tests that need a system tool the test command's set-up installs as root.

scripts/ensure_chromium.sh and scripts/ensure_docker.sh install Chromium and Docker when run as
root (CI always is). A developer without root gets a skip that says how to enable the test; as
root, or under CI=true, a missing tool is a failure, so CI can never pass by skipping.
"""

from __future__ import annotations

import os

import pytest


def require(problem: str | None, script: str, then: str = "") -> None:
    """Skip (non-root developer) or fail (root or CI) when `problem` says a tool is unusable."""
    if problem is None:
        return
    if os.geteuid() == 0 or os.environ.get("CI"):
        pytest.fail(f"{problem} ({script} should have set it up)")
    pytest.skip(f"{problem}; to run this test: run {script} as root{then}")
