"""Settings: unsafe combinations are refused at start-up, naming the setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from matcher.errors import ConfigError
from matcher.settings import Settings


def _settings(**kw: object) -> Settings:
    return Settings(**{"redis_url": "redis://127.0.0.1:6390/0", **kw})  # type: ignore[arg-type]


def test_defaults_are_consistent() -> None:
    """The shipped defaults keep the visibility timeout above time limit plus retry backoff."""
    s = _settings()
    assert s.broker_visibility_timeout_s > s.task_time_limit_s + s.task_retry_backoff_max_s
    assert s.task_soft_time_limit_s < s.task_time_limit_s


def test_visibility_timeout_below_time_budget_is_refused() -> None:
    """A visibility timeout that a slow task could outlive is refused by name."""
    with pytest.raises(ConfigError, match="TRIALMATCH_BROKER_VISIBILITY_TIMEOUT_S"):
        _settings(broker_visibility_timeout_s=300, task_time_limit_s=120)


def test_soft_limit_must_be_below_hard_limit() -> None:
    """The soft time limit must fire before the hard one."""
    with pytest.raises(ConfigError, match="TRIALMATCH_TASK_SOFT_TIME_LIMIT_S"):
        _settings(task_soft_time_limit_s=120, task_time_limit_s=120)


@pytest.mark.parametrize("password", ["changeme", "password", "secret"])
def test_placeholder_redis_password_is_refused(password: str) -> None:
    """A Redis URL whose password is a known placeholder is refused."""
    with pytest.raises(ConfigError, match="TRIALMATCH_REDIS_URL"):
        _settings(redis_url=f"redis://:{password}@redis:6379/0")


def test_production_requires_a_redis_password() -> None:
    """Production refuses an unauthenticated Redis."""
    with pytest.raises(ConfigError, match="TRIALMATCH_REDIS_URL"):
        _settings(environment="production")
    assert _settings(environment="production", redis_url="redis://:s3cr3t-x@r:6379/0")


def test_production_refuses_insecure_tls() -> None:
    """Turning certificate checks off is refused in production."""
    with pytest.raises(ConfigError, match="TRIALMATCH_REDIS_TLS_INSECURE"):
        _settings(
            environment="production",
            redis_url="rediss://:pw-1234@r:6379/0",
            redis_tls_insecure=True,
        )


def test_snapshot_must_be_a_directory() -> None:
    """A snapshot path that is not a folder is refused by name."""
    with pytest.raises(ConfigError, match="TRIALMATCH_CTGOV_SNAPSHOT"):
        _settings(ctgov_snapshot="/nonexistent/snapshot")


def test_secret_is_not_in_repr() -> None:
    """The Redis URL (it may hold a password) never shows in a repr or log line."""
    s = _settings(redis_url="redis://:hunter2-long@r:6379/0")
    assert "hunter2" not in repr(s)
    assert "hunter2" not in str(s.model_dump())


def test_errors_survive_pickling_with_class_and_fields() -> None:
    """Celery pickles exceptions across processes: class and fields must come back intact."""
    import pickle

    from matcher.errors import InvalidProfile, RateLimited, UpstreamRejected, UpstreamSchemaError

    schema = pickle.loads(pickle.dumps(UpstreamSchemaError("NCT01234567", "phases", "not a list")))
    assert type(schema) is UpstreamSchemaError
    assert (schema.nct_id, schema.field, schema.detail) == ("NCT01234567", "phases", "not a list")
    rejected = pickle.loads(pickle.dumps(UpstreamRejected(400, "bad field", "/studies")))
    assert (type(rejected), rejected.status_code, rejected.body) == (
        UpstreamRejected,
        400,
        "bad field",
    )
    limited = pickle.loads(pickle.dumps(RateLimited("slow down", retry_after=7.0)))
    assert (type(limited), limited.retry_after) == (RateLimited, 7.0)
    invalid = pickle.loads(pickle.dumps(InvalidProfile([("sex", "bad")])))
    assert invalid.errors == [("sex", "bad")]
    assert str(invalid) == "invalid profile: sex: bad"


def test_recruiting_statuses_are_checked_against_the_registry_enum() -> None:
    """A misspelt recruiting status is refused by variable name; the real enum values pass."""
    from matcher.settings import _explain

    with pytest.raises(ValidationError) as info:
        _settings(recruiting_statuses=["RECRUITING", "RECRUITNG"])
    message = _explain(info.value)
    assert message.startswith("TRIALMATCH_RECRUITING_STATUSES: unknown status RECRUITNG")
    with pytest.raises(ValidationError) as info:
        _settings(recruiting_statuses=[])
    assert _explain(info.value).startswith("TRIALMATCH_RECRUITING_STATUSES: ")
    ok = _settings(recruiting_statuses=["RECRUITING", "ENROLLING_BY_INVITATION"])
    assert ok.recruiting_statuses == ["RECRUITING", "ENROLLING_BY_INVITATION"]


def test_non_json_list_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """A list setting given as plain text (not JSON) is refused naming the environment variable."""
    from matcher.settings import get_settings

    monkeypatch.setenv("TRIALMATCH_REDIS_URL", "redis://127.0.0.1:6390/0")
    monkeypatch.setenv("TRIALMATCH_RECRUITING_STATUSES", "RECRUITING,NOT_YET_RECRUITING")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"^TRIALMATCH_RECRUITING_STATUSES: not valid JSON"):
            get_settings()
        monkeypatch.setenv("TRIALMATCH_RECRUITING_STATUSES", '["RECRUITING"]')
        get_settings.cache_clear()
        assert get_settings().recruiting_statuses == ["RECRUITING"]
    finally:
        get_settings.cache_clear()


@pytest.mark.parametrize(
    ("field", "value", "var"),
    [
        ("ctgov_base_url", "clinicaltrials.gov/api/v2", "TRIALMATCH_CTGOV_BASE_URL"),
        ("logging_config", "/nonexistent/logging.json", "TRIALMATCH_LOGGING_CONFIG"),
        ("assessment_max_age_days", 0, "TRIALMATCH_ASSESSMENT_MAX_AGE_DAYS"),
        ("public_origin", "https://tm.example.org/app", "TRIALMATCH_PUBLIC_ORIGIN"),
        ("broker_unacked_restore_interval_s", 0, "TRIALMATCH_BROKER_UNACKED_RESTORE_INTERVAL_S"),
    ],
)
def test_settings_outside_their_domain_are_refused(field: str, value: object, var: str) -> None:
    """A URL without a scheme, a missing logging file, a zero age limit, an origin with a path or
    a zero sweep interval are refused by name."""
    from matcher.settings import _explain

    with pytest.raises(ValidationError) as info:
        _settings(**{field: value})
    assert _explain(info.value).startswith(var)
