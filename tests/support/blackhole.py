"""A loopback server that accepts connections and never answers: an engine hung in a long GC pause."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass
class HungServer:
    url: str
    held: list[socket.socket] = field(default_factory=list)

    @property
    def connections(self) -> int:
        """How many connections clients opened (a retried request opens another)."""
        return len(self.held)


@contextlib.contextmanager
def hung_server() -> Iterator[HungServer]:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    server = HungServer(url=f"http://127.0.0.1:{listener.getsockname()[1]}")
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            with contextlib.suppress(TimeoutError, OSError):
                server.held.append(listener.accept()[0])

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=2)
        for connection in server.held:
            connection.close()
        listener.close()
