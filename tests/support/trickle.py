"""A loopback HTTP server that answers slowly on purpose: one byte every `interval_s` seconds.

Real sockets (not a mocked transport), because the fault lives below httpx: every single read
returns well within the read timeout, yet the response as a whole never arrives in time.
`part` chooses what trickles: the headers (status line included) or only the body.
"""

from __future__ import annotations

import socket
import threading
from typing import Literal

BODY = b'{"apiVersion": "2.0.5", "dataTimestamp": "v1"}'  # constructed /version answer


class TrickleServer:
    def __init__(
        self, *, interval_s: float = 2.0, part: Literal["headers", "body", "none"] = "body"
    ) -> None:
        self.interval_s = interval_s
        self.part = part
        self.requests = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/api/v2"

    def _serve(self) -> None:
        self._sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)  # the request (one GET, no body)
                self.requests += 1
                head = (
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                    + f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode()
                )
                if self.part == "none":
                    conn.sendall(head + BODY)
                    return
                if self.part == "body":
                    conn.sendall(head)
                for i in range(len(head) if self.part == "headers" else 0):
                    conn.sendall(head[i : i + 1])
                    if self._stop.wait(self.interval_s):
                        return
                for i in range(len(BODY)):
                    conn.sendall(BODY[i : i + 1])
                    if self.part == "body" and self._stop.wait(self.interval_s):
                        return
            except OSError:
                return  # the client gave up and closed: that is the point

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self._sock.close()
