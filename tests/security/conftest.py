"""Helpers of the security tests: the PHI canary, a MONITOR capture of Redis, key dumps, ACL files.

Everything runs against private redis-server processes on loopback (tests/support/procs.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from tests.support.procs import REPO, RedisServer, wait_for
from tests.support.profiles import example_body

ACL_EXAMPLE = REPO / "config" / "users.acl"

# A name-like string no real record or trial contains. Searched case-insensitively by its rarest
# token, so URL-encoded ("Zebulon%20Quixote-Canary"), split or re-cased copies are found too.
CANARY = "Zebulon Quixote-Canary"
CANARY_TOKEN = "quixote"


def has_canary(text: str | bytes) -> bool:
    if isinstance(text, bytes):
        text = text.decode("utf-8", errors="replace")
    return CANARY_TOKEN in text.casefold()


def canary_body(profile_id: str, diagnosis: str = CANARY) -> dict[str, Any]:
    """A valid profile with the canary in every free-text field the contract allows.

    Free text in ProfileIn: `diagnosis`, `biomarkers[]`, `prior_therapies[].agent` and
    `prior_therapies[].site` (everything else is an enum, number, date, bool or a pattern-checked
    id/code).
    """
    return example_body(
        profile_id,
        diagnosis=diagnosis,
        biomarkers=["SS18-SSX2 fusion", CANARY],
        prior_therapies=[
            {"agent": "ifosfamide", "category": "chemotherapy", "ended_on": "2025-09-01"},
            {"agent": CANARY, "category": "chemotherapy", "ended_on": "2025-09-01"},
            {"category": "radiation", "site": CANARY, "ended_on": "2025-07-15"},
            {"agent": f"{CANARY} protocol", "site": f"{CANARY} hospital"},
        ],
    )


# --- Redis MONITOR capture -------------------------------------------------------------------

_ARG = re.compile(r'"((?:[^"\\]|\\.)*)"')
_ESCAPES = {"n": b"\n", "r": b"\r", "t": b"\t", "a": b"\a", "b": b"\b", '"': b'"', "\\": b"\\"}


def _unescape(arg: str) -> str:
    """Undo redis' sdscatrepr quoting (\\n, \\", \\xHH) and decode the bytes as UTF-8."""
    out = bytearray()
    i = 0
    while i < len(arg):
        ch = arg[i]
        if ch == "\\" and i + 1 < len(arg):
            nxt = arg[i + 1]
            if nxt == "x" and i + 3 < len(arg):
                out += bytes([int(arg[i + 2 : i + 4], 16)])
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt.encode())
            i += 2
            continue
        out += ch.encode()
        i += 1
    return out.decode("utf-8", errors="replace")


@dataclass(frozen=True)
class Command:
    """One command seen by MONITOR: name upper-cased, arguments unescaped."""

    name: str
    args: tuple[str, ...]

    @property
    def target(self) -> str:
        """The first argument: the key, or the channel of PUBLISH."""
        return self.args[0] if self.args else ""

    def texts(self) -> Iterator[str]:
        """Every argument, plus the decoded body of any kombu message among them."""
        for arg in self.args:
            yield arg
            body = kombu_body(arg)
            if body is not None:
                yield body


def kombu_body(arg: str) -> str | None:
    """The decoded body of a kombu message envelope (JSON with a base64 `body`), else None."""
    if not arg.startswith("{") or '"body"' not in arg:
        return None
    try:
        envelope = json.loads(arg)
    except ValueError:
        return None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("body"), str):
        return None
    if envelope.get("properties", {}).get("body_encoding") != "base64":
        return str(envelope["body"])
    try:
        return base64.b64decode(envelope["body"]).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None


def parse_monitor_line(line: str) -> Command | None:
    args = [_unescape(a) for a in _ARG.findall(line)]
    if not args:
        return None
    return Command(args[0].upper(), tuple(args[1:]))


@dataclass
class Monitor:
    """Every command a Redis server executes, read over a raw MONITOR connection in a thread."""

    port: int
    username: str | None = None
    password: str | None = None
    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        if self.password is not None:
            self._send("AUTH", *([self.username] if self.username else []), self.password)
            reply = self._sock.recv(1024)
            assert reply.startswith(b"+OK"), reply
        self._send("MONITOR")
        self._buf = b""
        self._stop = threading.Event()
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        wait_for(lambda: any(line == "+OK" for line in self.lines), 5, what="MONITOR +OK")

    def _send(self, *parts: str) -> None:
        encoded = [p.encode() for p in parts]
        msg = b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)
        self._sock.sendall(msg)

    def _read(self) -> None:
        while not self._stop.is_set():
            try:
                chunk = self._sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not chunk:
                return
            self._buf += chunk
            *complete, self._buf = self._buf.split(b"\r\n")
            self.lines.extend(c.decode("utf-8", errors="replace") for c in complete)

    def stop(self, client: redis.Redis) -> None:
        """Flush: send a marker command, wait until MONITOR has shown it, then disconnect."""
        marker = f"monitor-end-{time.monotonic_ns()}"
        client.echo(marker)
        wait_for(lambda: any(marker in line for line in self.lines[-50:]), 10, what="marker")
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def commands(self) -> list[Command]:
        found = []
        for line in self.lines:
            if line.startswith("+") and line != "+OK":
                cmd = parse_monitor_line(line)
                if cmd is not None:
                    found.append(cmd)
        return found


# --- keyspace dump ---------------------------------------------------------------------------


def dump_keys(client: redis.Redis) -> dict[str, str]:
    """Every key of the server with its whole value rendered as text (by type)."""
    out: dict[str, str] = {}
    for key in client.scan_iter("*", count=500):
        kind = client.type(key)
        value: Any
        if kind == "string":
            value = client.get(key)
        elif kind == "hash":
            value = client.hgetall(key)
        elif kind == "list":
            value = client.lrange(key, 0, -1)
        elif kind == "set":
            value = sorted(client.smembers(key))
        elif kind == "zset":
            value = client.zrange(key, 0, -1, withscores=True)
        else:
            value = f"<{kind}>"
        text = json.dumps(value, ensure_ascii=False, default=str)
        items = value if kind == "list" else []
        decoded = [kombu_body(v) for v in items]
        out[key] = text + "".join(d for d in decoded if d)
    return out


# --- ACL users -------------------------------------------------------------------------------

ROLES = ("worker", "beat", "api")
ADMIN = "testadmin"


def render_acl(passwords: dict[str, str], admin_password: str) -> str:
    """config/users.acl with each role's placeholder replaced by its password's SHA-256 digest,
    plus a test-only admin user (the harness needs one to start, inspect and stop the server)."""
    text = ACL_EXAMPLE.read_text()
    for role in ROLES:
        placeholder = f"#__{role.upper()}_PASSWORD_SHA256__"
        assert placeholder in text, placeholder
        digest = hashlib.sha256(passwords[role].encode()).hexdigest()
        text = text.replace(placeholder, f"#{digest}")
    return text.rstrip("\n") + f"\nuser {ADMIN} on >{admin_password} ~* &* +@all\n"


class AclRedisServer(RedisServer):
    """A RedisServer whose harness connects as the test admin user (the default user is off)."""

    def __init__(self, workdir: Path, *, admin_password: str, extra: list[str]) -> None:
        self.admin_password = admin_password
        super().__init__(workdir, extra=extra)

    @property
    def url(self) -> str:
        return f"redis://{ADMIN}:{self.admin_password}@127.0.0.1:{self.port}/0"

    def url_for(self, user: str, password: str) -> str:
        return f"redis://{user}:{password}@127.0.0.1:{self.port}/0"
