"""A local stand-in for the ClinicalTrials.gov API v2, serving a folder of v2 study JSON.

Real HTTP on loopback (worker subprocesses reach it like the real API), with the parts of the
API's behaviour trialmatch relies on: `/version`, `/studies` with `query.cond` (OR of quoted
phrases matched against conditions, keywords and titles), `filter.overallStatus`,
`filter.advanced=AREA[LastUpdatePostDate]RANGE[date,MAX]`, `pageSize` + `nextPageToken` paging,
`/studies/{id}` with 404 as text/plain. It counts requests and can inject latency and faults.
The matching rules are a simplification of the real search engine (constructed behaviour).
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

_PHRASE = re.compile(r'"([^"]+)"')
_RANGE = re.compile(r"^AREA\[LastUpdatePostDate\]RANGE\[(\d{4}-\d{2}-\d{2}),MAX\]$")


def _studies_in(folder: Path) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.rglob("*.json")):
        body = json.loads(path.read_text())
        for study in body["studies"] if isinstance(body, dict) and "studies" in body else [body]:
            nct = study["protocolSection"]["identificationModule"]["nctId"]
            found.setdefault(nct, {k: v for k, v in study.items() if not k.startswith("_")})
    return list(found.values())


def _text_of(study: dict[str, Any]) -> str:
    proto = study["protocolSection"]
    ident = proto.get("identificationModule", {})
    cond = proto.get("conditionsModule", {})
    parts = [ident.get("briefTitle", ""), ident.get("officialTitle", "")]
    parts += cond.get("conditions", []) + cond.get("keywords", [])
    return " ".join(parts).lower()


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
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
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
            return self._send(h, 200, json.dumps(self._search(params)).encode())
        return self._send(h, 404, b"<html>not found</html>", "text/html")

    def _search(self, params: dict[str, str]) -> dict[str, Any]:
        studies = self._studies()
        phrases = [p.lower() for p in _PHRASE.findall(params.get("query.cond", ""))]
        if phrases:
            studies = [s for s in studies if any(p in _text_of(s) for p in phrases)]
        statuses = set(
            filter(None, params.get("filter.overallStatus", "").replace(",", "|").split("|"))
        )
        if statuses:
            studies = [
                s
                for s in studies
                if s["protocolSection"].get("statusModule", {}).get("overallStatus") in statuses
            ]
        advanced = params.get("filter.advanced")
        if advanced:
            match = _RANGE.match(advanced)
            if match is None:
                raise ValueError(f"stub does not understand filter.advanced={advanced!r}")
            since = match.group(1)
            studies = [
                s
                for s in studies
                if (
                    s["protocolSection"]
                    .get("statusModule", {})
                    .get("lastUpdatePostDateStruct", {})
                    .get("date")
                    or ""
                )
                >= since
            ]
        size = min(int(params.get("pageSize", "10") or 10), 1000)
        start = int(params.get("pageToken", "0") or 0)
        page = studies[start : start + size]
        body: dict[str, Any] = {"studies": page}
        if start == 0:
            body["totalCount"] = len(studies)
        if start + size < len(studies):
            body["nextPageToken"] = str(start + size)
        return body

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


@contextmanager
def running_stub(folder: Path, **kw: Any) -> Iterator[CtgovStub]:
    stub = CtgovStub(folder, **kw)
    try:
        yield stub
    finally:
        stub.close()
