"""A total time limit for one outbound request: connect, TLS, headers and body together.

``requests``' timeouts are per socket operation: a server that sends one byte every few seconds never
trips them and can hold a worker for minutes. A :class:`Deadline` arms a timer when the request starts;
when it fires, it shuts down the sockets the request is using, so any read in progress ends at once
and the caller reports a timeout. Connections opened through :class:`DeadlineConnectionMixin` register
themselves with the deadline of the request being sent (a context variable), including pooled ones
reused for a later request.
"""

from __future__ import annotations

import socket
import threading
import weakref
from contextvars import ContextVar
from typing import Any

current: ContextVar[Deadline | None] = ContextVar("credhub_outbound_deadline", default=None)

# Which deadline a socket currently serves: a pooled connection reused by a later request belongs to
# that request's deadline, and an older deadline firing late must leave it alone.
_owners: weakref.WeakKeyDictionary[socket.socket, Deadline] = weakref.WeakKeyDictionary()
_owners_lock = threading.Lock()


class Deadline:
    """``seconds`` from :meth:`start` on, every socket :meth:`watch`-ed for it is shut down."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expired = False
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()

    def watch(self, sock: socket.socket | None) -> None:
        if sock is None:
            return
        with _owners_lock:
            _owners[sock] = self
            self._sockets.add(sock)
            expired = self.expired
        if expired:
            _shut(sock)

    def _expire(self) -> None:
        with _owners_lock:
            self.expired = True
            mine = [sock for sock in list(self._sockets) if _owners.get(sock) is self]
        for sock in mine:
            _shut(sock)


def _shut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:  # already closed: nothing left to stop
        pass


class DeadlineConnectionMixin:
    """For urllib3 connections: put the socket under the current request's deadline."""

    sock: Any

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        if (deadline := current.get()) is not None:
            deadline.watch(self.sock)

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        # A reused connection was opened for an earlier request: it serves this one's deadline now.
        if (deadline := current.get()) is not None:
            deadline.watch(self.sock)
        return super().getresponse(*args, **kwargs)  # type: ignore[misc]
