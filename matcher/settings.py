"""The one settings class. Every knob of trialmatch, read from TRIALMATCH_* environment variables.

It lives in `matcher/` (not `config/`, which holds deployment files such as redis.conf) because
both edges read it: the worker (Celery limits, broker URL) and the pure domain's client and store
(API base URL, pace, key prefix). `workers/` imports `matcher`, never the other way round.

Unsafe combinations are refused at start-up with the setting named (see `_refuse_unsafe`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qs, urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from matcher.domain.models.trial import KNOWN_STATUSES
from matcher.errors import ConfigError

_PLACEHOLDERS = {"changeme", "change-me", "changethis", "secret", "password", "placeholder", ""}


class Settings(BaseSettings):
    """Deployment configuration; see the README's configuration table for each field."""

    # env_ignore_empty: compose passes unset variables as "" (e.g. TRIALMATCH_CTGOV_SNAPSHOT);
    # an empty value means "not set", never Path(""), which would be the current directory.
    model_config = SettingsConfigDict(
        env_prefix="TRIALMATCH_", extra="ignore", frozen=True, env_ignore_empty=True
    )

    environment: Literal["development", "production"] = "development"

    # --- Redis (store and Celery broker are the same server, distinct key prefixes) ---
    # No default: the URL may carry a password, and guessing a server is how data ends up in
    # the wrong Redis. The demo and tests set it explicitly.
    redis_url: SecretStr
    key_prefix: str = Field(default="tm:", pattern=r"^[a-z][a-z0-9_-]{0,15}:$")
    redis_socket_timeout_s: float = Field(default=5.0, gt=0, le=60)
    redis_connect_timeout_s: float = Field(default=3.0, gt=0, le=60)
    # Lets `rediss://` run against a self-signed test certificate only when asked explicitly.
    redis_tls_insecure: bool = False

    # --- ClinicalTrials.gov ---
    ctgov_base_url: str = "https://clinicaltrials.gov/api/v2"
    # A folder of v2 JSON replacing the live API (air-gapped hospitals, CI, the demo).
    ctgov_snapshot: Path | None = None
    ctgov_connect_timeout_s: float = Field(default=5.0, gt=0, le=60)
    ctgov_read_timeout_s: float = Field(default=30.0, gt=0, le=120)
    ctgov_max_attempts: int = Field(default=4, ge=1, le=10)
    ctgov_retry_total_s: float = Field(default=30.0, gt=0, le=300)
    # Whole-request budget (headers and body): per-read timeouts alone let a server trickling a
    # byte every few seconds hold a request until the task's soft time limit.
    ctgov_request_deadline_s: float = Field(default=40.0, gt=0, le=300)
    # Fleet-wide minimum spacing between requests (a Redis-shared pace): the public API's
    # informal limit is ~1 request/s, so 1.5 s keeps every worker together well under it.
    ctgov_min_interval_s: float = Field(default=1.5, ge=0, le=60)
    ctgov_page_size: int = Field(default=1000, ge=1, le=1000)
    # Searches are keyed by data version, so a long TTL is safe; it only garbage-collects.
    search_cache_ttl_s: int = Field(default=8 * 86400, ge=60)

    # --- Eligibility ---
    # Checked against the registry's status enum: a misspelt status would count every trial
    # with the real spelling as closed, silently. AVAILABLE = expanded access: a treatment the
    # patient can get now, shown as such.
    recruiting_statuses: list[str] = Field(
        default=["RECRUITING", "NOT_YET_RECRUITING", "AVAILABLE"], min_length=1
    )
    # Judge eligibility whatever the recruitment status (still reported). For research use and
    # for dated snapshots such as the bundled demo one, where most trials have since closed.
    any_status: bool = False

    # --- Celery reliability (see workers/celery_app.py for the reason of each) ---
    task_soft_time_limit_s: int = Field(default=90, ge=5)
    task_time_limit_s: int = Field(default=120, ge=10)
    task_retry_backoff_max_s: int = Field(default=300, ge=1)
    task_max_retries: int = Field(default=6, ge=0, le=20)
    broker_visibility_timeout_s: int = Field(default=900, ge=5)
    # A job `running` longer than the hard time limit plus this margin has no live delivery:
    # the lost-job sweep may re-publish it (if no message for it is left in the broker).
    job_lease_margin_s: int = Field(default=30, ge=1, le=3600)
    # A message delivered more often than this is a poison task: the job is failed, not re-run.
    max_deliveries: int = Field(default=5, ge=1, le=50)
    # Test knobs: kombu's restore sweep of unacked messages (defaults 10 s x 10).
    broker_unacked_restore_interval_s: float | None = Field(default=None, gt=0, le=3600)
    broker_unacked_restore_throttle: int | None = Field(default=None, ge=1, le=10_000)
    # kombu's lock around that sweep (default 300 s). A Redis crash mid-sweep leaves it held
    # (AOF keeps it) and blocks every restore until it expires; tests shrink it.
    broker_unacked_mutex_expire_s: int | None = Field(default=None, ge=1)
    # Worker processes per container; two cores here, so two.
    worker_concurrency: int = Field(default=2, ge=1, le=64)
    # Prometheus endpoint of a worker (task durations, CT.gov requests/retries, verdicts);
    # 0 disables it. Its prefork children share metrics through a multiprocess directory.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)

    # --- Scheduled re-matching (Celery beat) ---
    # The API's data changes daily; checking hourly costs one /version request when nothing moved.
    sync_interval_s: int = Field(default=3600, ge=60, le=7 * 86400)
    purge_interval_s: int = Field(default=3600, ge=60, le=86400)

    # --- Data retention ---
    profile_retention_days: int = Field(default=180, ge=1, le=3650)

    # --- Plausibility of submitted profiles ---
    # An assessment older than this is accepted with a warning (response, match output, report):
    # the engine ages the patient from `assessed_on`, but labs and status may have moved on.
    assessment_max_age_days: int = Field(default=90, ge=1, le=3650)

    # --- Web page ---
    # The origin browsers see (e.g. https://trialmatch.example.org), checked against a login
    # post's Origin. Unset: the Origin's host must equal the request's Host header.
    public_origin: str | None = None

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # A logging dictConfig JSON (config/logging.json); unset means a plain stderr format.
    logging_config: Path | None = None

    @field_validator("recruiting_statuses")
    @classmethod
    def _known_statuses(cls, value: list[str]) -> list[str]:
        return check_statuses(value)

    @field_validator("ctgov_base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        url = urlsplit(value)
        if url.scheme not in {"http", "https"} or not url.hostname:
            raise ValueError("must be an http:// or https:// URL with a host")
        return value.rstrip("/")

    @field_validator("public_origin")
    @classmethod
    def _origin(cls, value: str | None) -> str | None:
        if value is None:
            return None
        url = urlsplit(value)
        if url.scheme not in {"http", "https"} or not url.netloc or url.path not in {"", "/"}:
            raise ValueError("must be scheme://host[:port], e.g. https://trialmatch.example.org")
        return f"{url.scheme}://{url.netloc}"

    @field_validator("logging_config")
    @classmethod
    def _config_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"{value} is not a file")
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        budget = self.task_time_limit_s + self.task_retry_backoff_max_s
        if self.broker_visibility_timeout_s <= budget:
            raise ConfigError(
                "TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S must exceed TRIALMATCH_TASK_TIME_LIMIT_S + "
                f"TRIALMATCH_TASK_RETRY_BACKOFF_MAX_S ({budget} s), "
                "or a slow task is delivered twice"
            )
        if self.task_soft_time_limit_s >= self.task_time_limit_s:
            raise ConfigError(
                "TRIALMATCH_TASK_SOFT_TIME_LIMIT_S must be below TRIALMATCH_TASK_TIME_LIMIT_S"
            )
        if self.ctgov_request_deadline_s >= self.task_soft_time_limit_s:
            raise ConfigError(
                "TRIALMATCH_CTGOV_REQUEST_DEADLINE_S must be below "
                "TRIALMATCH_TASK_SOFT_TIME_LIMIT_S, or a slow request ends as a killed task"
            )
        url = urlsplit(self.redis_url.get_secret_value())
        if url.scheme not in {"redis", "rediss", "unix"}:
            raise ConfigError("TRIALMATCH_REDIS_URL must start with redis://, rediss:// or unix://")
        query = {k.lower(): v[-1].strip().lower() for k, v in parse_qs(url.query).items()}
        if query.get("ssl_cert_reqs", "required") not in {"required", "cert_required"} or (
            query.get("ssl_check_hostname", "true") in {"false", "0", "no", "off"}
        ):
            raise ConfigError(
                "TRIALMATCH_REDIS_URL must not switch certificate checks off in its query "
                "(ssl_cert_reqs / ssl_check_hostname); use TRIALMATCH_REDIS_TLS_INSECURE=true "
                "in development instead"
            )
        if url.password is not None and url.password.lower() in _PLACEHOLDERS:
            raise ConfigError("TRIALMATCH_REDIS_URL carries a placeholder password; set a real one")
        if self.environment == "production":
            if not url.password:
                raise ConfigError(
                    "TRIALMATCH_REDIS_URL has no password, refused "
                    "with TRIALMATCH_ENVIRONMENT=production"
                )
            if self.redis_tls_insecure:
                raise ConfigError(
                    "TRIALMATCH_REDIS_TLS_INSECURE=true is refused "
                    "with TRIALMATCH_ENVIRONMENT=production"
                )
        if self.ctgov_snapshot is not None and not self.ctgov_snapshot.is_dir():
            raise ConfigError(f"TRIALMATCH_CTGOV_SNAPSHOT={self.ctgov_snapshot} is not a directory")
        return self

    @property
    def redis_dsn(self) -> str:
        return self.redis_url.get_secret_value()


def check_statuses(statuses: list[str]) -> list[str]:
    """The statuses unchanged if each is in the registry's enum; else ValueError naming them.

    Shared by the setting and `trialmatch match --statuses`, so both accept the same values.
    """
    unknown = sorted({s for s in statuses if s not in KNOWN_STATUSES})
    if unknown:
        raise ValueError(
            f"unknown status {', '.join(unknown)}; known: {', '.join(sorted(KNOWN_STATUSES))}"
        )
    return statuses


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Settings of this process, read once. Raises ConfigError naming the bad setting."""
    try:
        return Settings()  # redis_url comes from the environment
    except ConfigError:
        raise
    except Exception as exc:  # pydantic ValidationError: rephrase with the env var names
        raise ConfigError(_explain(exc)) from exc


_UNPARSED = re.compile(r'error parsing value for field "(\w+)"')


def _explain(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        # pydantic-settings' SettingsError for a list/dict value that is not JSON names the
        # Python field only; name the variable the operator actually set.
        unparsed = _UNPARSED.search(str(exc))
        if unparsed:
            var = f"TRIALMATCH_{unparsed.group(1).upper()}"
            return f'{var}: not valid JSON (write a JSON list, e.g. ["RECRUITING"])'
        return str(exc)
    parts = []
    for err in errors():
        loc = "_".join(str(p) for p in err.get("loc", ())) or "?"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        # A ConfigError raised inside the validator arrives wrapped; its text already names it.
        parts.append(msg if loc == "?" else f"TRIALMATCH_{loc.upper()}: {msg}")
    return "; ".join(parts)
