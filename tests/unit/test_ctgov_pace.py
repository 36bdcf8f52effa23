"""Request pacing: in-process spacing, and fleet-wide spacing through a real redis-server."""

from __future__ import annotations

import itertools
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import redis

from matcher.adapters.ctgov.pace import FleetPacer, LocalPacer, NoPacer
from matcher.adapters.keys import Keys
from matcher.adapters.store import Store

INTERVAL = 0.1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    assert port != 6379
    return port


@pytest.fixture(scope="module")
def redis_port() -> Iterator[int]:
    """A private, non-persistent redis-server on a free loopback port (never 6379)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                redis.Redis(port=port).ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def server_time(client: redis.Redis) -> float:
    sec, usec = client.time()
    return sec + usec / 1_000_000


def test_no_pacer_never_waits() -> None:
    """NoPacer returns at once (snapshot source and tests)."""
    start = time.monotonic()
    for _ in range(100):
        NoPacer().wait()
    assert time.monotonic() - start < 0.5


def test_local_pacer_spaces_calls_by_the_interval() -> None:
    """LocalPacer hands out slots min_interval apart on its (fake) clock."""
    now = [0.0]
    sleeps: list[float] = []

    def sleep(s: float) -> None:
        sleeps.append(s)

    pacer = LocalPacer(1.5, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        pacer.wait()
    assert sleeps == [1.5, 3.0]  # three calls at t=0 get slots 0, 1.5 and 3.0
    now[0] = 10.0
    pacer.wait()
    assert sleeps == [1.5, 3.0]  # idle long enough: no wait


def _store(port: int, prefix: str) -> Store:
    return Store(redis.Redis(port=port, decode_responses=True), Keys(prefix))


def test_redis_pacer_spaces_two_clients_by_redis_time(redis_port: int) -> None:
    """Alternating calls from two connections get slots >= min_interval apart on Redis TIME."""
    a, b = _store(redis_port, "tmtest:seq:"), _store(redis_port, "tmtest:seq:")
    key = a.keys.pace()
    observer = redis.Redis(port=redis_port)
    pacers = [FleetPacer(a, INTERVAL), FleetPacer(b, INTERVAL)]
    slots: list[float] = []
    returned: list[float] = []
    for i in range(6):
        pacers[i % 2].wait()
        returned.append(server_time(observer))
        # Sequential calls: the key now holds exactly this call's slot + interval (microseconds).
        slots.append(int(observer.get(key) or 0) / 1_000_000 - INTERVAL)
    gaps = [later - earlier for earlier, later in itertools.pairwise(slots)]
    assert all(gap >= INTERVAL - 1e-6 for gap in gaps), gaps
    assert all(r >= s for r, s in zip(returned, slots, strict=True))  # nobody started early
    # the six calls span at least five intervals from the first call's slot (measured from the
    # slot, not from when the first call's return was observed: that stamp is taken after the
    # call and carries the observer's own latency, which made this flaky)
    assert returned[-1] - slots[0] >= 5 * INTERVAL - 1e-6
    ttl = observer.pttl(key)
    assert 0 < ttl <= 2000  # the key expires soon after the last slot: nothing left behind


def test_redis_pacer_spaces_concurrent_workers(redis_port: int) -> None:
    """Two threads with their own connections, 4 calls each, start >= min_interval apart."""
    key = Keys("tmtest:concurrent:").pace()
    observer = redis.Redis(port=redis_port)
    starts: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = redis.Redis(port=redis_port)
        pacer = FleetPacer(_store(redis_port, "tmtest:concurrent:"), INTERVAL)
        for _ in range(4):
            pacer.wait()
            stamp = server_time(conn)
            with lock:
                starts.append(stamp)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    starts.sort()
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    # The Redis TIME read after wait() adds a loopback round trip and a thread wake-up to each
    # stamp; on a loaded 2-core machine that jitter exceeded 10 ms once, so 30 ms is allowed —
    # still far below the 100 ms spacing under test (an unpaced pair would be ~0 ms apart).
    assert len(starts) == 8
    assert all(gap >= INTERVAL - 0.03 for gap in gaps), gaps
    assert starts[-1] - starts[0] >= 7 * INTERVAL - 0.03
    assert observer.exists(key)


def test_redis_pacer_zero_interval_does_not_touch_redis() -> None:
    """With min_interval 0 the pacer is a no-op and never asks the store for a slot."""

    class _Slots:
        def reserve_pace_slot(self, interval_us: int) -> int:
            raise AssertionError("Redis must not be called")

    FleetPacer(_Slots(), 0).wait()
