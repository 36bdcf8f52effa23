"""`rediss://` keeps certificate checks on (research checklist item 20), for the store and broker.

Unit part: the client `matcher.adapters.store.connect` builds, and the Celery broker connection
built from the same settings, both require a verified certificate unless `redis_tls_insecure` is set
in development; production refuses the insecure flag. Integration part: a redis-server with TLS on a
loopback port, serving a certificate signed by a throw-away CA (made with `openssl`): untrusted, the
connection fails with a certificate error; with the CA trusted it works.
"""

from __future__ import annotations

import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from matcher.adapters.store import connect
from matcher.errors import ConfigError
from matcher.settings import Settings
from tests.support.procs import RedisServer, free_port, wait_for
from workers.celery_app import create_app

TLS_URL = "rediss://:s3cret-pw-for-tests@127.0.0.1:6390/0"


def _kwargs(settings: Settings) -> dict[str, object]:
    return dict(connect(settings).connection_pool.connection_kwargs)


def test_rediss_requires_a_verified_certificate_by_default() -> None:
    """A rediss:// URL gives an SSL client with ssl_cert_reqs='required' (and hostname checks)."""
    for environment in ("development", "production"):
        kwargs = _kwargs(Settings(redis_url=TLS_URL, environment=environment))  # type: ignore[arg-type]
        assert kwargs["ssl_cert_reqs"] == "required", environment
        assert kwargs.get("ssl_check_hostname", True) is not False
        client = connect(Settings(redis_url=TLS_URL, environment=environment))  # type: ignore[arg-type]
        assert issubclass(client.connection_pool.connection_class, redis.SSLConnection)


def test_insecure_tls_only_when_asked_in_development() -> None:
    """redis_tls_insecure turns checks off in development only; production refuses it by name."""
    dev = Settings(redis_url=TLS_URL, redis_tls_insecure=True)  # type: ignore[arg-type]
    assert _kwargs(dev)["ssl_cert_reqs"] == "none"
    with pytest.raises(ConfigError, match="TRIALMATCH_REDIS_TLS_INSECURE"):
        Settings(redis_url=TLS_URL, environment="production", redis_tls_insecure=True)  # type: ignore[arg-type]


def test_url_query_cannot_switch_certificate_checks_off() -> None:
    """`?ssl_cert_reqs=none` in the URL (a common copy-paste) must not silently disable checks."""
    url = TLS_URL + "?ssl_cert_reqs=none"
    refused: ConfigError | None = None
    try:
        settings = Settings(redis_url=url, environment="production")  # type: ignore[arg-type]
    except ConfigError as exc:
        refused = exc
    if refused is not None:  # refusing the URL, naming the setting, is a fine outcome
        assert "TRIALMATCH_REDIS_URL" in str(refused)
    else:
        assert _kwargs(settings)["ssl_cert_reqs"] == "required"


def test_broker_connection_requires_a_verified_certificate() -> None:
    """The Celery broker connection for a rediss:// URL verifies certificates like the store.

    Without `broker_use_ssl`, kombu logs "Secure redis scheme specified (rediss) with no ssl
    options, defaulting to insecure SSL behaviour" and uses CERT_NONE.
    """
    app = create_app(Settings(redis_url=TLS_URL, environment="production"))  # type: ignore[arg-type]
    conn = app.connection_for_write()
    try:
        assert isinstance(conn.ssl, dict), conn.ssl
        assert conn.ssl.get("ssl_cert_reqs") == ssl.CERT_REQUIRED, conn.ssl
    finally:
        conn.release()


# --- a real TLS server ------------------------------------------------------------------------


@dataclass
class TlsServer:
    server: RedisServer
    tls_port: int
    ca: Path  # the CA that signed the server's certificate
    other_ca: Path  # an unrelated CA

    def url(self, query: str = "") -> str:
        return f"rediss://127.0.0.1:{self.tls_port}/0{query}"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _make_ca(folder: Path, name: str) -> None:
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN=trialmatch test {name}", "-keyout", f"{name}.key",
             "-out", f"{name}.pem", cwd=folder)  # fmt: skip


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed: cannot make test certificates")
    certs = tmp_path_factory.mktemp("tls")
    _make_ca(certs, "ca")
    _make_ca(certs, "other")
    (certs / "san.ext").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
             "-keyout", "server.key", "-out", "server.csr", cwd=certs)  # fmt: skip
    _openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", "server.pem",
             cwd=certs)  # fmt: skip
    tls_port = free_port()
    try:
        server = RedisServer(
            certs / "redis",
            extra=["--tls-port", str(tls_port), "--tls-cert-file", str(certs / "server.pem"),
                   "--tls-key-file", str(certs / "server.key"), "--tls-ca-cert-file",
                   str(certs / "ca.pem"), "--tls-auth-clients", "no"],
        )  # fmt: skip
    except TimeoutError:
        log = (certs / "redis" / "redis.log").read_text(errors="replace")
        if "tls" in log.lower():  # e.g. a build without BUILD_TLS=yes refuses tls-port
            pytest.skip(f"this redis-server cannot serve TLS: {log.strip().splitlines()[-1]}")
        raise
    try:
        wait_for(lambda: _listening(tls_port), 10, what="TLS port")
        yield TlsServer(server, tls_port, certs / "ca.pem", certs / "other.pem")
    finally:
        server.stop()


def _listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.integration
def test_untrusted_certificate_is_refused_with_a_clear_error(tls_server: TlsServer) -> None:
    """With checks on, a server certificate from an unknown CA fails the handshake, clearly."""
    client = connect(Settings(redis_url=tls_server.url()))  # type: ignore[arg-type]
    with pytest.raises(redis.ConnectionError, match=r"(?i)certificate verify failed"):
        client.ping()
    wrong_ca = connect(Settings(redis_url=tls_server.url(f"?ssl_ca_certs={tls_server.other_ca}")))  # type: ignore[arg-type]
    with pytest.raises(redis.ConnectionError, match=r"(?i)certificate verify failed"):
        wrong_ca.ping()


@pytest.mark.integration
def test_trusted_ca_connects(tls_server: TlsServer) -> None:
    """With the signing CA trusted (ssl_ca_certs), the verified connection works."""
    client = connect(Settings(redis_url=tls_server.url(f"?ssl_ca_certs={tls_server.ca}")))  # type: ignore[arg-type]
    assert client.ping()
    assert client.connection_pool.connection_kwargs["ssl_cert_reqs"] == "required"


@pytest.mark.integration
def test_development_insecure_flag_connects_to_untrusted(tls_server: TlsServer) -> None:
    """The development-only escape hatch does connect to a self-signed test server."""
    settings = Settings(redis_url=tls_server.url(), redis_tls_insecure=True)  # type: ignore[arg-type]
    assert connect(settings).ping()


@pytest.mark.integration
def test_broker_refuses_untrusted_certificate(tls_server: TlsServer) -> None:
    """Publishing over rediss:// to a server with an untrusted certificate fails (no silent MITM).

    The broker URL carries the Redis password: a connection that skips verification hands it to
    whoever can intercept the traffic.
    """
    app = create_app(Settings(redis_url=tls_server.url(), redis_connect_timeout_s=2))  # type: ignore[arg-type]
    failure: Exception | None = None
    with app.connection_for_write() as conn:
        try:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=5)
            conn.default_channel.client.ping()
        except Exception as exc:  # kombu wraps transport errors in several ways
            failure = exc
    assert failure is not None, "the broker connection accepted an untrusted certificate"
    assert re.search(r"(?i)certificate|ssl", repr(failure)), repr(failure)
