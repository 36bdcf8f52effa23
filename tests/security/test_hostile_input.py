"""Hostile input (research checklist item 18): the contract refuses it cleanly, before any write.

`parse_profile` must raise InvalidProfile naming a field for anything it does not accept, never
another exception type; `submit_json` must then write nothing to Redis and enqueue nothing; and no
diagnosis text can put search syntax into the ClinicalTrials.gov request.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from matcher.adapters.ctgov.query import MAX_TERM_CHARS, SearchQuery, sanitize_term
from matcher.adapters.store import Store
from matcher.domain.eligibility import search_terms
from matcher.domain.models.profile import ProfileIn, parse_profile, refused_char
from matcher.errors import InvalidProfile
from matcher.services.submission import submit_json
from matcher.settings import Settings
from tests.support.procs import SNAPSHOT, RedisServer
from tests.support.profiles import example_body

FREE_TEXT = ("diagnosis", "biomarkers.0", "prior_therapies.0.agent", "prior_therapies.0.site")
FIELDS = tuple(ProfileIn.model_fields)
# Everything a JSON document can hold, a few levels deep.
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=200),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=20), children, max_size=5)
    ),
    max_leaves=20,
)


def _with_text(path: str, value: str) -> dict[str, Any]:
    """A valid profile whose free-text field at `path` holds `value`."""
    body = example_body("SEC-hostile", prior_therapies=[{"agent": "ifosfamide", "site": "thigh"}])
    if path == "diagnosis":
        body["diagnosis"] = value
    elif path == "biomarkers.0":
        body["biomarkers"] = [value]
    else:
        body["prior_therapies"][0][path.rsplit(".", 1)[1]] = value
    return body


def _outcome(raw: str | bytes) -> InvalidProfile | None:
    """None when parse_profile accepts `raw`, its InvalidProfile when it refuses; any other
    exception propagates (and fails the test)."""
    try:
        parse_profile(raw)
    except InvalidProfile as exc:
        error = exc
    else:
        return None
    assert error.errors, "InvalidProfile without a field"
    for field, message in error.errors:
        assert field, error.errors
        assert message, error.errors
    return error


def _refused(raw: str | bytes) -> InvalidProfile:
    """parse_profile's error for `raw`; fails if it was accepted or raised anything else."""
    error = _outcome(raw)
    if error is None:
        pytest.fail(f"accepted: {raw[:200]!r}")
    return error


def _replaced(old: str, new: str) -> bytes:
    text = json.dumps(example_body("SEC-raw"))
    assert old in text
    return text.replace(old, new).encode()


# --- wrong types, ranges, sizes --------------------------------------------------------------

TOMORROW = "<tomorrow>"  # stands for the day after the test runs (resolved in the test)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"age_months": -1}, "age_months"),
        ({"age_months": 10**6}, "age_months"),
        ({"age_months": "12"}, "age_months"),
        ({"age_months": True}, "age_months"),
        ({"age_months": 12.5}, "age_months"),
        ({"age_months": None, "age_years": -0.5}, "age_years"),
        ({"age_months": None, "age_years": 1e308}, "age_years"),
        ({"age_months": None, "age_years": None}, "age_months/age_years"),
        ({"age_years": 10}, "age_months/age_years"),
        ({"sex": "unknown"}, "sex"),
        ({"sex": ["female"]}, "sex"),
        ({"diagnosis": 42}, "diagnosis"),
        ({"diagnosis": ""}, "diagnosis"),
        ({"diagnosis": "x" * 121}, "diagnosis"),
        ({"diagnosis": "x" * 5_000_000}, "diagnosis"),
        ({"diagnosis": {"$ne": ""}}, "diagnosis"),
        ({"biomarkers": ["x"] * 21}, "biomarkers"),
        ({"biomarkers": ["x"] * 200_000}, "biomarkers"),
        ({"biomarkers": "SS18-SSX2"}, "biomarkers"),
        ({"prior_therapies": [{"agent": "x"}] * 61}, "prior_therapies"),
        ({"prior_therapies": [{}]}, "prior_therapies.0.agent/category"),
        ({"recurrence_sites": ["pulmonary", "pulmonary"]}, "recurrence_sites"),
        ({"relapse_number": 0}, "relapse_number"),
        ({"weight_kg": -3}, "weight_kg"),
        ({"assessed_on": "1999-12-31"}, "assessed_on"),
        ({"assessed_on": TOMORROW}, "assessed_on"),
        ({"assessed_on": "2026-02-30"}, "assessed_on"),
        ({"location": {"lat": 91, "lon": 0}}, "location.lat"),
        ({"profile_id": "../../etc/passwd"}, "profile_id"),
        ({"profile_id": "a b"}, "profile_id"),
        ({"profile_id": "x" * 65}, "profile_id"),
        ({"diagnosis_code": "C49.9; DROP"}, "diagnosis_code"),
        ({"patient_name": "Jane Roe"}, "patient_name"),
        ({"mrn": "123"}, "mrn"),
    ],
)
def test_bad_values_are_refused_naming_the_field(changes: dict[str, Any], field: str) -> None:
    """Wrong types, absurd numbers, oversize strings/arrays and unknown fields name their field."""
    body = example_body("SEC-bad")
    # "tomorrow" is taken when the test runs, not when it is collected: a run that crosses
    # midnight would otherwise send today's date
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    body.update({k: tomorrow if v == TOMORROW else v for k, v in changes.items()})
    error = _refused(json.dumps(body))
    assert field in {f for f, _ in error.errors}, error.errors


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"null",
        b"[]",
        b'"profile"',
        b"{",
        b"\xef\xbb\xbf{}",  # BOM
        json.dumps(example_body("SEC-utf16")).encode("utf-16"),
        json.dumps(example_body("SEC-bytes")).encode().replace(b"synovial", b"syn\xff\xfeovial"),
        b'{"profile_id": ' + b"[" * 50_000 + b"]" * 50_000 + b"}",
        json.dumps(example_body("SEC-nest"))[:-1].encode() + b', "tumor": '
        + b'{"grade": ' * 3000 + b"1" + b"}" * 3000 + b"}",
        _replaced('"age_months": 171', '"age_months": 1' + "0" * 5000),
        _replaced('"weight_kg": 52', '"weight_kg": NaN'),
        _replaced('"weight_kg": 52', '"weight_kg": -Infinity'),
        json.dumps(example_body("SEC-surr", diagnosis="@")).replace('"@"', '"\\ud800"').encode(),
        json.dumps(example_body("SEC-surr", diagnosis="@")).replace('"@"', '"ab\\udfff"').encode(),
    ],
    ids=[
        "empty", "null", "array", "string", "truncated", "bom", "utf16", "invalid-utf8",
        "deep-array", "deep-object", "huge-int", "nan", "infinity", "lone-high-surrogate",
        "lone-low-surrogate",
    ],
)  # fmt: skip
def test_malformed_documents_are_invalid_profile(raw: bytes) -> None:
    """Broken or pathological JSON is an InvalidProfile, never a RecursionError or UnicodeError."""
    _refused(raw)


@given(field=st.sampled_from(FIELDS), value=JSON_VALUES)
@settings(max_examples=300, deadline=None)
def test_any_json_in_any_field_is_accepted_or_invalid_profile(field: str, value: Any) -> None:
    """Whatever JSON value lands in whatever field, the outcome is a profile or InvalidProfile."""
    body = example_body("SEC-any")
    body[field] = value
    _outcome(json.dumps(body))


@given(raw=st.binary(max_size=300) | st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_arbitrary_bytes_are_accepted_or_invalid_profile(raw: bytes | str) -> None:
    """Random bytes or text never raise anything but InvalidProfile."""
    _outcome(raw)


# --- Unicode in free text ----------------------------------------------------------------------

# Characters that have no place in a one-line clinical term and can hide or reorder text in the
# HTML report and in logs (Trojan Source style), or are not text at all.
INVISIBLE_OR_CONTROL = {
    "NUL": "\x00",
    "BEL": "\x07",
    "ESC (ANSI)": "\x1b[31m",
    "newline": "\n",
    "carriage return": "\r",
    "C1 NEL": "\x85",
    "RLO override": "\u202e",
    "LRI isolate": "\u2066",
    "zero-width space": "\u200b",
    "line separator": "\u2028",
    "BOM/ZWNBSP": "\ufeff",
    "noncharacter U+FFFF": "\uffff",
    "private use": "\ue000",
    # Visible blanks and fillers (issue 11, finding 5): letters or symbols by category, yet they
    # render as nothing or as an empty cell.
    "Hangul filler U+3164": "\u3164",
    "Hangul choseong filler U+115F": "\u115f",
    "Hangul jungseong filler U+1160": "\u1160",
    "halfwidth Hangul filler U+FFA0": "\uffa0",
    "braille pattern blank U+2800": "\u2800",
    "combining grapheme joiner U+034F": "\u034f",
    "variation selector-16 U+FE0F": "\ufe0f",
    "variation selector-17 U+E0100": "\U000e0100",
}


def test_control_and_invisible_characters_are_refused() -> None:
    """Control, bidi-override, zero-width and non-characters in free text are refused by field."""
    accepted = []
    for path in FREE_TEXT:
        for name, char in INVISIBLE_OR_CONTROL.items():
            error = _outcome(json.dumps(_with_text(path, f"synovial{char}sarcoma")))
            if error is None:
                accepted.append(f"{path}: {name}")
            else:
                assert path in {f for f, _ in error.errors}, (name, error.errors)
    assert not accepted, "accepted:\n" + "\n".join(accepted)


@pytest.mark.parametrize("blank", ["   ", "\u3164", "\u2800\u2800", "\u3000\u3164 ", "\u034f"])
def test_blank_only_text_is_refused(blank: str) -> None:
    """Free text made only of spaces, fillers or blank glyphs is refused, naming the field."""
    error = _refused(json.dumps(_with_text("diagnosis", blank)))
    assert "diagnosis" in {f for f, _ in error.errors}


# Categories free text must never contain, by Python's own Unicode database (an oracle that does
# not share the implementation's `regex` property lookup).
_REFUSED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_ACCEPTABLE_MAJOR = {"L", "M", "N", "P", "S"}


def _must_refuse(char: str) -> bool:
    name = unicodedata.name(char, "")
    return (
        unicodedata.category(char) in _REFUSED_CATEGORIES
        or "VARIATION SELECTOR" in name
        or name.endswith("HANGUL FILLER")
        or name in {"HANGUL CHOSEONG FILLER", "HANGUL JUNGSEONG FILLER"}
        or name == "COMBINING GRAPHEME JOINER"
        or name == "BRAILLE PATTERN BLANK"
    )


def test_every_code_point_is_judged_by_its_properties() -> None:
    """Over the whole code-point range: every control/format/unassigned/private/separator code
    point, filler, joiner and variation selector is refused; everything accepted is a letter,
    mark, number, punctuation, symbol or space."""
    wrongly_accepted, odd_accepted, accepted = [], [], 0
    for cp in range(0x110000):
        char = chr(cp)
        if refused_char(char):
            continue
        accepted += 1
        if _must_refuse(char):
            wrongly_accepted.append(f"U+{cp:04X}")
        category = unicodedata.category(char)
        if category[0] not in _ACCEPTABLE_MAJOR and category != "Zs":
            odd_accepted.append(f"U+{cp:04X} {category}")
    assert not wrongly_accepted, wrongly_accepted[:20]
    assert not odd_accepted, odd_accepted[:20]
    assert accepted > 100_000  # letters of every script, digits, symbols and emoji stay usable


@given(cp=st.integers(min_value=0, max_value=0x10FFFF))
@settings(max_examples=400, deadline=None)
def test_any_code_point_in_free_text_is_refused_by_field_or_kept(cp: int) -> None:
    """Any code point inside a diagnosis is either refused naming `diagnosis` (exactly when its
    properties say so) or stored unchanged; a lone surrogate cannot even be decoded, so the
    document as a whole is refused."""
    text = f"synovial{chr(cp)}sarcoma"
    error = _outcome(json.dumps(_with_text("diagnosis", text)))
    if refused_char(chr(cp)):
        assert error is not None
        surrogate = unicodedata.category(chr(cp)) == "Cs"
        assert ("profile" if surrogate else "diagnosis") in {f for f, _ in error.errors}
    else:
        assert error is None, error.errors
        assert parse_profile(json.dumps(_with_text("diagnosis", text))).diagnosis == text


@pytest.mark.parametrize(
    "text",
    [
        "Ewing\u0301 sarcoma",
        "sarcome synovial \u00e9",
        "\u6ed1\u819c\u8089\u7624",
        "SS18 \U0001f9ec",
    ],
    ids=["combining-mark", "accented", "cjk", "emoji"],
)
@pytest.mark.parametrize("path", FREE_TEXT)
def test_printable_unicode_is_accepted_verbatim(path: str, text: str) -> None:
    """Combining marks, accents, other scripts and emoji are legitimate text and kept exactly."""
    profile = parse_profile(json.dumps(_with_text(path, text)))
    value: Any = profile
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else getattr(value, part)
    assert value == text


def test_duplicate_keys_are_refused() -> None:
    """A document with a key twice is ambiguous (parsers disagree on which wins): refused."""
    raw = json.dumps(example_body("SEC-dup"))[:-1] + ', "diagnosis": "Zebulon"}'
    error = _refused(raw)
    assert "diagnosis" in {f for f, _ in error.errors}


# --- nothing reaches Redis --------------------------------------------------------------------


@pytest.fixture(scope="module")
def redis_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    server = RedisServer(tmp_path_factory.mktemp("hostile") / "redis")
    try:
        settings_ = Settings(redis_url=server.url, ctgov_snapshot=SNAPSHOT)  # type: ignore[arg-type]
        yield Store.from_settings(settings_)
    finally:
        server.stop()


def _hostile_documents() -> st.SearchStrategy[str | bytes]:
    def mutate(field: str, value: Any) -> str:
        body = example_body("SEC-hyp")
        body[field] = value
        return json.dumps(body)

    bad_value = st.builds(mutate, st.sampled_from(FIELDS), JSON_VALUES)
    extra_field = st.builds(
        lambda k, v: json.dumps(example_body("SEC-hyp") | {k: v}),
        st.text(min_size=1, max_size=30).filter(lambda k: k not in FIELDS),
        JSON_VALUES,
    )
    return bad_value | extra_field | st.binary(max_size=200)


@pytest.mark.integration
@given(raw=_hostile_documents())
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_refused_submission_writes_and_enqueues_nothing(
    redis_store: Store, raw: str | bytes
) -> None:
    """When submit_json refuses a document, Redis is byte-for-byte untouched and nothing is sent."""
    published: list[tuple[str, str]] = []
    before = redis_store.r.dbsize()
    try:
        sub = submit_json(
            redis_store, raw, publish=lambda p, j: published.append((p, j)), retention_days=1
        )
    except InvalidProfile:
        assert redis_store.r.dbsize() == before
        assert published == []
    else:  # hypothesis found a valid document: it must have been stored and published once
        assert published == [(sub.profile_id, sub.job_id)]
        redis_store.r.flushdb()


@pytest.mark.integration
@pytest.mark.parametrize(
    "text", ["Ewing\u0301 sarcoma \U0001f9ec", "\u0633\u0627\u0631\u0643\u0648\u0645\u0627"]
)
def test_accepted_unicode_round_trips_through_redis(redis_store: Store, text: str) -> None:
    """Unusual but valid text is stored and loaded back unchanged (no encoding loss)."""
    body = example_body("SEC-unicode", diagnosis=text, biomarkers=[text])
    body.pop("reference")  # each parameter is a new profile; no reference to collide on
    raw = json.dumps(body)
    sub = submit_json(redis_store, raw, publish=lambda p, j: None, retention_days=1)
    loaded = redis_store.load_profile(sub.profile_id).profile
    assert loaded.diagnosis == text
    assert loaded.biomarkers == [text]


# --- no search-syntax injection ---------------------------------------------------------------

_PHRASE = re.compile(r"[\w '\-/]+")
_COND = re.compile(r'^"[^"]+"( OR "[^"]+")*$')
INJECTIONS = [
    'sarcoma" OR "cancer',
    "sarcoma) OR (AREA[Phase]PHASE3",
    "AREA[LastUpdatePostDate]RANGE[2000-01-01,MAX]",
    "RANGE[0,MAX]",
    "sarcoma\nAREA[OverallStatus]COMPLETED",
    "NOT sarcoma",
    "OR",
    "EXPANSION[None]sarcoma",
    "MISSING[Phase]",
    'sarcoma"&filter.advanced=AREA[x]y',
    "sarcoma%22%20OR%20%22x",
    'sarcoma\\" OR x',
    "(((((((((((",
    "sarcoma; DROP TABLE studies",
    "sar*",
    "synovial sarcoma^2 ~3",
]


def _check_params(params: dict[str, str], updated_since: date | None) -> None:
    allowed = {"format", "markupFormat", "query.cond", "fields", "pageSize", "filter.overallStatus"}
    if updated_since is None:
        assert "filter.advanced" not in params
    else:
        day = updated_since.strftime("%Y-%m-%d")
        assert params["filter.advanced"] == f"AREA[LastUpdatePostDate]RANGE[{day},MAX]"
        allowed.add("filter.advanced")
    assert set(params) <= allowed, params
    cond = params["query.cond"]
    assert _COND.match(cond), cond
    for phrase in re.findall(r'"([^"]+)"', cond):
        assert _PHRASE.fullmatch(phrase), phrase
        assert "_" not in phrase, phrase
        assert phrase == phrase.strip(" -'/"), phrase
        assert len(phrase) <= MAX_TERM_CHARS
        assert phrase.upper() not in {"AND", "OR", "NOT", "AREA", "RANGE", "MISSING", "EXPANSION"}


@pytest.mark.parametrize("diagnosis", INJECTIONS)
def test_injection_attempts_stay_inside_quoted_phrases(diagnosis: str) -> None:
    """Essie syntax in a diagnosis never leaves its quoted, sanitised `query.cond` phrase."""
    query = SearchQuery(tuple(search_terms(diagnosis)), statuses=("RECRUITING",))
    params = query.to_params(1000)
    _check_params(params, None)
    assert not set("[]()\n") & set(params["query.cond"])


@given(
    terms=st.lists(st.text(max_size=300), min_size=1, max_size=40),
    updated_since=st.none() | st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    page_size=st.integers(min_value=1, max_value=1000),
)
@settings(max_examples=400, deadline=None)
def test_any_text_yields_only_quoted_phrases(
    terms: list[str], updated_since: date | None, page_size: int
) -> None:
    """For arbitrary text terms, to_params holds quoted sanitised phrases and at most the date
    filter; a query with nothing searchable is a ValueError, never a malformed request."""
    query = SearchQuery(tuple(terms), statuses=("RECRUITING",), updated_since=updated_since)
    try:
        params = query.to_params(page_size)
    except ValueError:
        usable = {sanitize_term(t).casefold() for t in terms} - {""}
        assert not usable or len(usable) > 30
        return
    _check_params(params, updated_since)


@given(diagnosis=st.text(min_size=1, max_size=120))
@settings(max_examples=300, deadline=None)
def test_any_diagnosis_gives_a_safe_search(diagnosis: str) -> None:
    """Whatever a board types as diagnosis, the search built from it is safe."""
    assume(diagnosis.strip())
    query = SearchQuery(tuple(search_terms(diagnosis)), statuses=("RECRUITING",))
    _check_params(query.to_params(1000), None)
