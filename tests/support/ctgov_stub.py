"""A local stand-in for the ClinicalTrials.gov API v2, serving a folder of v2 study JSON.

Real HTTP on loopback (worker subprocesses reach it like the real API), with the parts of the
API trialmatch relies on: `/version`; `/studies` with `query.cond` / `query.term` /
`query.intr` / `query.titles` and `filter.advanced` in the search syntax of tests/support/essie.py
(phrases, AND/OR/NOT, parentheses, AREA, RANGE, MISSING), `filter.overallStatus`, `filter.ids`,
`fields` projection, `pageSize` + `nextPageToken` paging (a token dies when the data version
moves, as the API's does) and `countTotal`; `/studies/{id}` with 404 as text/plain. Unknown
parameters, statuses, field names, ids and malformed expressions get 400 text/plain, as the API
answers. It counts requests and can inject latency and faults. The matching rules are a
simplification of the real search engine (constructed behaviour).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.support.essie import FIELD_PATHS, EssieError, compile_query

# The API's Status enum (spec 2.0.5), kept here rather than imported so the stub is independent.
STATUSES = frozenset(
    {
        "ACTIVE_NOT_RECRUITING", "COMPLETED", "ENROLLING_BY_INVITATION", "NOT_YET_RECRUITING",
        "RECRUITING", "SUSPENDED", "TERMINATED", "WITHDRAWN", "AVAILABLE", "NO_LONGER_AVAILABLE",
        "TEMPORARILY_NOT_AVAILABLE", "APPROVED_FOR_MARKETING", "WITHHELD", "UNKNOWN",
    }
)  # fmt: skip
QUERY_AREAS = {
    "query.cond": "ConditionSearch",
    "query.term": "BasicSearch",
    "query.intr": "InterventionSearch",
    "query.titles": "TitleSearch",
    "filter.advanced": "BasicSearch",
}
KNOWN_PARAMS = frozenset(
    {*QUERY_AREAS, "format", "markupFormat", "filter.overallStatus", "filter.ids", "fields",
     "pageSize", "pageToken", "countTotal"}
)  # fmt: skip
# Pieces the stub can project; a request for another name gets the API's 400.
PROJECTION: dict[str, list[str]] = {
    **{name: [path] for name, path in FIELD_PATHS.items()},
    "LastUpdatePostDate": ["protocolSection.statusModule.lastUpdatePostDateStruct"],
    "ConditionMeshTerm": ["derivedSection.conditionBrowseModule.meshes"],
    "InterventionName": ["protocolSection.armsInterventionsModule.interventions[].name"],
    "LocationFacility": ["protocolSection.contactsLocationsModule.locations[].facility"],
    "LocationCity": ["protocolSection.contactsLocationsModule.locations[].city"],
    "LocationState": ["protocolSection.contactsLocationsModule.locations[].state"],
    "LocationCountry": ["protocolSection.contactsLocationsModule.locations[].country"],
    "LocationStatus": ["protocolSection.contactsLocationsModule.locations[].status"],
    "LocationGeoPoint": ["protocolSection.contactsLocationsModule.locations[].geoPoint"],
}
_ID = re.compile(r"^[Nn][Cc][Tt]0*[1-9]\d{0,7}$")


class BadRequest(Exception):
    pass


def _studies_in(folder: Path) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.json")):
        body = json.loads(path.read_text())
        for study in body["studies"] if isinstance(body, dict) and "studies" in body else [body]:
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            found.setdefault(nct, {k: v for k, v in study.items() if not k.startswith("_")})
    return [found[n] for n in sorted(found)]


def _copy_path(src: Any, parts: list[str], dst: dict[str, Any]) -> None:
    """Copy one dotted path of `src` into `dst`, walking `[]` lists element by element."""
    if not isinstance(src, dict):
        return
    head, rest = parts[0], parts[1:]
    key, each = head.removesuffix("[]"), head.endswith("[]")
    if key not in src:
        return
    if not rest:
        dst[key] = src[key]
    elif each and isinstance(src[key], list):
        out = dst.setdefault(key, [{} for _ in src[key]])
        for item, target in zip(src[key], out, strict=True):
            _copy_path(item, rest, target)
    else:
        _copy_path(src[key], rest, dst.setdefault(key, {}))


def project(study: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in fields:
        for path in PROJECTION[name]:
            _copy_path(study, path.split("."), out)
    return out


class CtgovStub:
    def __init__(
        self, folder: Path, *, latency_s: float = 0.0, data_version: str = "2026-11-26T09:00:00"
    ) -> None:
        self.folder = folder
        self.latency_s = latency_s
        self.data_version = data_version
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.faults: list[tuple[int, str, dict[str, str]]] = []  # served before normal answers
        self._lock = threading.Lock()
        self._cache: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        self._tokens: dict[str, str] = {}  # page token -> data version that issued it
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                stub._handle(self)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"

    def count(self, path_prefix: str = "") -> int:
        with self._lock:
            return sum(1 for path, _ in self.requests if path.startswith(path_prefix))

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _studies(self) -> list[dict[str, Any]]:
        signature = tuple(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size)
            for p in sorted(self.folder.rglob("*.json"))
        )
        with self._lock:
            if self._cache is None or self._cache[0] != signature:
                self._cache = (signature, _studies_in(self.folder))
            return self._cache[1]

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        url = urlsplit(h.path)
        multi = parse_qs(url.query, keep_blank_values=True)
        params = {k: v[0] for k, v in multi.items()}
        with self._lock:
            self.requests.append((url.path, params))
            fault = self.faults.pop(0) if self.faults else None
        if self.latency_s:
            time.sleep(self.latency_s)
        if fault is not None:
            status, body, headers = fault
            return self._send(h, status, body.encode(), "text/plain", headers)
        if url.path == "/api/v2/version":
            body = {"apiVersion": "2.0.5", "dataTimestamp": self.data_version}
            return self._send(h, 200, json.dumps(body).encode())
        if url.path.startswith("/api/v2/studies/"):
            nct = url.path.rsplit("/", 1)[1].upper()
            for study in self._studies():
                if study["protocolSection"]["identificationModule"]["nctId"] == nct:
                    return self._send(h, 200, json.dumps(study).encode())
            return self._send(h, 404, f"Study {nct} not found".encode(), "text/plain")
        if url.path == "/api/v2/studies":
            try:
                if any(len(v) > 1 for v in multi.values()):
                    raise BadRequest("a parameter was given twice")
                return self._send(h, 200, json.dumps(self._search(params)).encode())
            except (BadRequest, EssieError) as exc:
                return self._send(h, 400, str(exc).encode(), "text/plain")
        return self._send(h, 404, b"<html>not found</html>", "text/html")

    def _search(self, params: dict[str, str]) -> dict[str, Any]:
        for name in params:
            if name not in KNOWN_PARAMS:
                raise BadRequest(f"`{name}` is unknown parameter")
        if params.get("format", "json") != "json":
            raise BadRequest("the stub serves format=json only")
        if params.get("markupFormat", "markdown") not in {"markdown", "legacy"}:
            raise BadRequest("`markupFormat` must be markdown or legacy")
        studies = self._studies()
        for name, area in QUERY_AREAS.items():
            if name in params:
                match = compile_query(params[name], area)
                studies = [s for s in studies if match(s)]
        statuses = {s for s in re.split(r"[|,]", params.get("filter.overallStatus", "")) if s}
        if statuses - STATUSES:
            raise BadRequest(f"unknown overallStatus {sorted(statuses - STATUSES)}")
        if statuses:
            studies = [s for s in studies if _status(s) in statuses]
        if "filter.ids" in params:
            ids = [i for i in re.split(r"[|,]", params["filter.ids"]) if i]
            if not ids or any(not _ID.match(i) for i in ids):
                raise BadRequest("`filter.ids` must be NCT ids")
            wanted = {f"NCT{int(i[3:]):08d}" for i in ids}
            studies = [s for s in studies if _ids_of(s) & wanted]
        fields = [f for f in re.split(r"[|,]", params.get("fields", "")) if f]
        for name in fields:
            if name not in PROJECTION:
                raise BadRequest(f"Parameter 'fields' contains invalid field name: '{name}'")
        if params.get("countTotal", "false") not in {"true", "false"}:
            raise BadRequest("`countTotal` must be true or false")
        try:
            size = int(params.get("pageSize", "10") or 0) or 10
        except ValueError:
            raise BadRequest("`pageSize` must be a number") from None
        size = min(max(size, 1), 1000)  # the API coerces larger values down to 1000
        start = self._offset(params.get("pageToken"))
        page = studies[start : start + size]
        body: dict[str, Any] = {"studies": [project(s, fields) if fields else s for s in page]}
        if start == 0 and params.get("countTotal") == "true":
            body["totalCount"] = len(studies)
        if start + size < len(studies):
            token = str(start + size)  # plain offsets, so fault scripts can name a page
            with self._lock:
                self._tokens[token] = self.data_version
            body["nextPageToken"] = token
        return body

    def _offset(self, token: str | None) -> int:
        """A token is only good for the data version that issued it (as the API's)."""
        if not token:
            return 0
        with self._lock:
            issued = self._tokens.get(token)
        if issued is None or issued != self.data_version:
            raise BadRequest("invalid pageToken")
        return int(token)

    @staticmethod
    def _send(
        h: BaseHTTPRequestHandler,
        status: int,
        body: bytes,
        ctype: str = "application/json",
        headers: dict[str, str] | None = None,
    ) -> None:
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)


def _status(study: dict[str, Any]) -> str | None:
    status = study["protocolSection"].get("statusModule", {}).get("overallStatus")
    return str(status) if status is not None else None


def _ids_of(study: dict[str, Any]) -> set[str]:
    ident = study["protocolSection"]["identificationModule"]
    return {ident["nctId"], *ident.get("nctIdAliases", [])}


@contextmanager
def running_stub(folder: Path, **kw: Any) -> Iterator[CtgovStub]:
    stub = CtgovStub(folder, **kw)
    try:
        yield stub
    finally:
        stub.close()
