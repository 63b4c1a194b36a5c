"""A total time limit for one outbound request: connect, TLS, headers and body together.

``requests``' timeouts are per socket operation: a server that sends one byte every few seconds never
trips them and can hold a worker for minutes. A :class:`Deadline` is armed when the request starts;
when it is due, it shuts down the sockets the request is using, so any read in progress ends at once
and the caller reports a timeout. One alarm thread per process fires every due deadline (starting a
timer thread per request took a tenth of a proxied call). Connections opened through
:class:`DeadlineConnectionMixin` register themselves with the deadline of the request being sent (a
context variable), including pooled ones reused for a later request.
"""

from __future__ import annotations

import atexit
import heapq
import itertools
import os
import socket
import threading
import time
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
        self.expired = self.cancelled = False
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()

    def start(self) -> None:
        _alarm.arm(time.monotonic() + self.seconds, self)

    def cancel(self) -> None:
        self.cancelled = True

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


class _Alarm:
    """The process's one thread that expires deadlines when they are due, earliest first.

    A cancelled deadline stays in the queue until its time and is then dropped. Started on first use
    in each process: a gunicorn worker does not inherit the thread of the process it was forked from.
    """

    def __init__(self) -> None:
        self._due: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()  # ties broken by arrival, never by comparing deadlines
        self._condition = threading.Condition()
        self._pid: int | None = None
        self._stopping = False
        # Ended before the interpreter tears down the modules it uses (else it dies there, noisily).
        atexit.register(self._stop)

    def arm(self, at: float, deadline: Deadline) -> None:
        with self._condition:
            if self._pid != os.getpid():
                self._pid, self._due = os.getpid(), []
                threading.Thread(target=self._run, name="credhub-deadlines", daemon=True).start()
            heapq.heappush(self._due, (at, next(self._order), deadline))
            if self._due[0][2] is deadline:  # sooner than what the thread waits for
                self._condition.notify()

    def _stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify()

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopping and (not self._due or (wait := self._due[0][0] - time.monotonic()) > 0):
                    self._condition.wait(None if not self._due else wait)
                if self._stopping:
                    return
                _, _, deadline = heapq.heappop(self._due)
            if not deadline.cancelled:
                deadline._expire()


_alarm = _Alarm()


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
