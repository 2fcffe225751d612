"""A listener on loopback that counts who connects to it: the proof that nothing reached out."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass
class Canary:
    """A TCP listener on 127.0.0.1; ``connections`` counts every connection accepted."""

    port: int
    connections: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@contextmanager
def canary_listener() -> Iterator[Canary]:
    server = socket.create_server(("127.0.0.1", 0), backlog=64)
    canary = Canary(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with canary._lock:
                canary.connections += 1
            connection.close()

    thread = threading.Thread(target=accept, name="canary", daemon=True)
    thread.start()
    try:
        yield canary
    finally:
        stop.set()
        thread.join(timeout=2)
        server.close()
