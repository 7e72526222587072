"""A TCP proxy in front of a real Neo4j, to make the network faults a real deployment meets.

Nothing of Neo4j or the driver is replaced: the driver talks Bolt to the real server through
this proxy, which only forwards bytes, and can

- ``lose_next_commit()``: let the next *write* transaction's ``COMMIT`` reach the server, wait
  for the server's answer, and then cut the client's connection instead of passing it on, so
  the commit is applied but its acknowledgement is lost (the driver raises ``IncompleteCommit``);
- ``down = True``: cut every connection and refuse new ones (a server gone away).

Bolt sends each message in chunks (2-byte length, data, ``00 00`` at the end).  ``COMMIT`` is a
struct of no fields with signature ``0x12``: the chunk ``00 02 B0 12 00 00``.  ``BEGIN``
(``0x11``, one map) carries ``"mode": "r"`` for a read transaction; a write has no mode.
"""

from __future__ import annotations

import socket
import threading
from urllib.parse import urlsplit

COMMIT = b"\x00\x02\xb0\x12\x00\x00"
BEGIN = b"\xb1\x11"
READ_MODE = b"\x84mode\x81r"


class BoltProxy:
    def __init__(self, target_uri: str) -> None:
        parts = urlsplit(target_uri)
        self.target = (parts.hostname or "127.0.0.1", parts.port or 7687)
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.commits_lost = 0
        self._lose_commit = False
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._closed = False
        threading.Thread(target=self._accept, name="bolt-proxy", daemon=True).start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    def lose_next_commit(self) -> None:
        with self._lock:
            self._lose_commit = True

    def cut(self) -> None:
        """Cut every open connection (and, with ``down``, every new one)."""
        with self._lock:
            sockets, self._open = self._open, []
        for s in sockets:
            _close(s)

    def close(self) -> None:
        self._closed = True
        _close(self.listener)
        self.cut()

    def __enter__(self) -> BoltProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- forwarding --------------------------------------------------------------------
    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                _close(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=10)
                server.settimeout(None)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open += [client, server]
            lost = threading.Event()
            threading.Thread(target=self._up, args=(client, server, lost), daemon=True).start()
            threading.Thread(target=self._down, args=(server, client, lost), daemon=True).start()

    def _recv(self, source: socket.socket, other: socket.socket) -> bytes | None:
        """The next bytes from ``source``; None (both closed) once it ends or the proxy is down."""
        try:
            data = source.recv(65536)
        except OSError:
            data = b""
        if not data or self.down:
            _close(source)
            _close(other)
            return None
        return data

    def _up(self, client: socket.socket, server: socket.socket, lost: threading.Event) -> None:
        """Client to server, watching for a write transaction's COMMIT."""
        writing = False
        while True:
            data = self._recv(client, server)
            if data is None:
                return
            if BEGIN in data:
                writing = READ_MODE not in data
            if COMMIT in data and writing:
                with self._lock:
                    if self._lose_commit:
                        self._lose_commit = False
                        lost.set()  # before the commit leaves: its answer must not get through
            try:
                server.sendall(data)
            except OSError:
                _close(client)
                return

    def _down(self, server: socket.socket, client: socket.socket, lost: threading.Event) -> None:
        """Server to client; once a commit is to be lost, its answer is the last thing read."""
        while True:
            data = self._recv(server, client)
            if data is None:
                return
            if lost.is_set():
                with self._lock:
                    self.commits_lost += 1
                _close(client)  # the server has answered: the commit is applied; the client never hears
                _close(server)
                return
            try:
                client.sendall(data)
            except OSError:
                _close(server)
                return


def _close(s: socket.socket) -> None:
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
