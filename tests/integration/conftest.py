"""Fixtures of the store tests (test_store.py, test_store_board.py): one private redis-server per
module, emptied before each test. The worker-backed `stack` fixture is tests/support/stack.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from matcher.adapters.keys import Keys
from matcher.adapters.store import Store
from tests.support.procs import RedisServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    srv = RedisServer(tmp_path_factory.mktemp("redis"))
    yield srv
    srv.stop()


@pytest.fixture
def store(server: RedisServer) -> Store:
    client = server.client(socket_timeout=2)
    client.flushdb()
    return Store(client, Keys("tm:"))
