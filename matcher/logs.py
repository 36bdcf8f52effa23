"""Process logging: one configuration for worker, beat, API and CLI.

trialmatch's own log lines carry ids, statuses and counts only — never a profile, a request or a
response body — so logs can be shipped to a hospital's central logging without patient data.
`TRIALMATCH_LOGGING_CONFIG` may point at a logging dictConfig JSON (config/logging.json is the
shipped one); otherwise a plain stderr format at TRIALMATCH_LOG_LEVEL is used.
"""

from __future__ import annotations

import json
import logging
import logging.config

from matcher.settings import Settings


def setup_logging(settings: Settings) -> None:
    if settings.logging_config is not None:
        config = json.loads(settings.logging_config.read_text())
        config.setdefault("root", {})["level"] = settings.log_level
        logging.config.dictConfig(config)
        return
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(processName)s %(name)s: %(message)s",
    )
    for noisy in ("httpx", "httpcore", "kombu"):
        logging.getLogger(noisy).setLevel(
            max(logging.WARNING, logging.getLevelName(settings.log_level))
        )
