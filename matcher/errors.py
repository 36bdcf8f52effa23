"""The one error tree of trialmatch. Callers catch by class, never by message text.

    TrialmatchError
    ├── ConfigError                  a setting is missing or an unsafe combination was asked for
    ├── InvalidProfile               a submitted profile failed validation (carries field paths)
    │   └── InvalidInput             another request of a board (an answer, a meeting date) did
    ├── NotFound                     a profile, job or trial id does not exist (or is not yours)
    │   └── ProfileGone              erased while work on it was in flight: the job is cancelled
    ├── ReferenceInUse               the board already has a profile with this reference
    ├── StoredRecordUnreadable       a stored record no longer validates (names fields, no values)
    ├── UnexpectedError              any other exception, reduced to its class name
    ├── StoreError                   Redis could not be reached or answered in time
    │   └── BrokerUnavailable        the task could not be handed to the broker (nothing enqueued)
    └── UpstreamError                anything that went wrong talking to ClinicalTrials.gov
        ├── RetryableUpstreamError   transient: worth retrying later (the class decides)
        │   ├── UpstreamUnavailable  connect/read timeout, connection reset, 502/503/504
        │   │   └── UpstreamTooSlow  a response not complete within the per-request deadline
        │   └── RateLimited          429 (carries retry_after seconds when the server sent one)
        └── FinalUpstreamError       retrying cannot help
            ├── UpstreamRejected     400/403/404: carries status and the plain-text body
            └── UpstreamSchemaError  a response we cannot parse: names the NCT id and the field

`RetryableUpstreamError` is what the Celery task lists in `autoretry_for`; everything else fails
the job at once with `reason_for(exc)` as the reason: our own messages are written to carry ids,
classes and field names only; any foreign exception (whose text may quote stored values, as a
pydantic ValidationError does) is reduced to its class name. Errors with extra fields define
`__reduce__` so they survive pickling across Celery's process boundary with their class and
fields intact.
"""

from __future__ import annotations


class TrialmatchError(Exception):
    """Base of every error trialmatch raises on purpose."""


class ConfigError(TrialmatchError):
    """A setting is missing or unsafe; the message names the setting."""


class InvalidProfile(TrialmatchError):
    """A profile failed validation. `errors` lists (field path, message) pairs."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        joined = "; ".join(f"{field}: {msg}" for field, msg in errors)
        super().__init__(f"invalid profile: {joined}")

    def __reduce__(self) -> tuple[type[InvalidProfile], tuple[list[tuple[str, str]]]]:
        return (type(self), (self.errors,))


class InvalidInput(InvalidProfile):
    """Bad input other than a profile (an answer, a meeting date): the same 422 / exit 2 path,
    naming the field, without calling it a profile."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        super().__init__(errors)
        self.args = ("invalid input: " + "; ".join(f"{f}: {m}" for f, m in errors),)


class NotFound(TrialmatchError):
    """The id does not exist (or belongs to another board, which must look the same)."""


class ReferenceInUse(TrialmatchError):
    """The submitting board already has a live profile with this reference (never another
    board's: references are scoped per board). Carries that profile's id, never the reference."""

    def __init__(self, profile_id: str) -> None:
        self.profile_id = profile_id
        super().__init__(
            f"this reference is already used by your profile {profile_id}; "
            f"replace that profile (PUT /v1/profiles/{profile_id} or "
            f"`trialmatch submit --replace {profile_id}`) or choose another reference"
        )

    def __reduce__(self) -> tuple[type[ReferenceInUse], tuple[str]]:
        return (type(self), (self.profile_id,))


class ProfileGone(NotFound):
    """The profile was erased while a task for it was queued or running: nothing is written."""


class StoredRecordUnreadable(TrialmatchError):
    """A stored record fails validation. Carries the record kind, its id and the field paths,
    never the values (a pydantic message quotes the input, which is patient data here)."""

    def __init__(self, kind: str, record_id: str, fields: list[str]) -> None:
        self.kind = kind
        self.record_id = record_id
        self.fields = fields
        super().__init__(f"stored {kind} {record_id} is unreadable: fields {', '.join(fields)}")

    def __reduce__(self) -> tuple[type[StoredRecordUnreadable], tuple[str, str, list[str]]]:
        return (type(self), (self.kind, self.record_id, self.fields))


class UnexpectedError(TrialmatchError):
    """An exception from outside this tree, reduced to its class name (its text may hold values)."""

    def __init__(self, class_name: str) -> None:
        self.class_name = class_name
        super().__init__(f"unexpected {class_name}")

    def __reduce__(self) -> tuple[type[UnexpectedError], tuple[str]]:
        return (type(self), (self.class_name,))


class StoreError(TrialmatchError):
    """Redis was unreachable or too slow; nothing was half-written (writes are transactions)."""


class BrokerUnavailable(StoreError):
    """The match task could not be published; the submission was rolled back."""


class UpstreamError(TrialmatchError):
    """Talking to ClinicalTrials.gov (or reading a snapshot) failed."""


class RetryableUpstreamError(UpstreamError):
    """A transient fault: a later attempt may succeed."""


class UpstreamUnavailable(RetryableUpstreamError):
    """Timeout, connection error or 502/503/504."""


class UpstreamTooSlow(UpstreamUnavailable):
    """The whole response (headers and body) did not arrive within the per-request deadline:
    a server trickling bytes defeats a per-read timeout but not this."""


class RateLimited(RetryableUpstreamError):
    """HTTP 429. `retry_after` is the server's hint in seconds, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[RateLimited], tuple[str, float | None]]:
        return (type(self), (self.message, self.retry_after))


class FinalUpstreamError(UpstreamError):
    """Retrying cannot help."""


class UpstreamRejected(FinalUpstreamError):
    """HTTP 400/403/404 (or another non-retryable status): the plain-text body is surfaced."""

    def __init__(self, status_code: int, body: str, url: str = "") -> None:
        self.status_code = status_code
        self.body = body
        self.url = url
        super().__init__(
            f"ClinicalTrials.gov answered {status_code} for {url}: {body.strip()[:300]}"
        )

    def __reduce__(self) -> tuple[type[UpstreamRejected], tuple[int, str, str]]:
        return (type(self), (self.status_code, self.body, self.url))


class UpstreamSchemaError(FinalUpstreamError):
    """A response did not have the shape we rely on; names the NCT id and the field."""

    def __init__(self, nct_id: str | None, field: str, detail: str) -> None:
        self.nct_id = nct_id
        self.field = field
        self.detail = detail
        super().__init__(f"malformed study {nct_id or '<unknown id>'}: field {field}: {detail}")

    def __reduce__(self) -> tuple[type[UpstreamSchemaError], tuple[str | None, str, str]]:
        return (type(self), (self.nct_id, self.field, self.detail))


def field_locations(exc: BaseException) -> list[str]:
    """The field paths of a pydantic ValidationError (duck-typed: no pydantic import here)."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return []
    try:
        found = errors(include_input=False, include_context=False, include_url=False)
    except TypeError:  # not pydantic's signature
        return []
    paths = [".".join(str(p) for p in err.get("loc", ())) or "<root>" for err in found]
    return list(dict.fromkeys(paths))


def payload_free(exc: BaseException) -> TrialmatchError:
    """`exc` if it is one of ours, else an UnexpectedError naming only its class."""
    if isinstance(exc, TrialmatchError):
        return exc
    return UnexpectedError(type(exc).__name__)


def reason_for(exc: BaseException) -> str:
    """A job reason: the error class and our own (value-free) message, never foreign text."""
    if isinstance(exc, TrialmatchError):
        return f"{type(exc).__name__}: {exc}"
    return type(exc).__name__
