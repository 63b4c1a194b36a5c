"""Choosing the target: which addresses credhub connects to, checked when each connection is opened.

Loopback, link-local, private, multicast, reserved and unspecified addresses are refused unless
``CREDHUB_ALLOW_PRIVATE_TARGETS`` is on, on every address a host name resolves to, and the connection
goes to the address that was checked (no DNS rebinding between the check and the connection).

Connections are kept alive and reused per origin (scheme, host, port) by one adapter per process and
kind (:func:`shared_adapter`): a reused connection goes to the address that was checked when it was
opened, and every request carries its own authentication, so reuse gives a later request nothing of
an earlier one's but the TCP (and TLS) connection to the same server.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import threading
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from credentials.deadlines import DeadlineConnectionMixin
from credentials.outbound.errors import RefusedTarget

NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


def refusal_reason(address: str) -> str | None:
    """Why credhub refuses to connect to an IP address, or None when the address is public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # IPv6 forms that carry an IPv4 address reach that address: judge the IPv4 one.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in NAT64_PREFIX:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            return refusal_reason(str(embedded))
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_reserved:
        return "a reserved address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:  # e.g. carrier-grade NAT space, documentation ranges
        return "a reserved address"
    return None


def allowed_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its ``getaddrinfo`` entries, or raise :class:`RefusedTarget`.

    Every address must be public: one private address among public ones is enough to refuse, since
    the connection could otherwise be steered to it.
    """
    entries = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_, sockaddr in entries:
        if reason := refusal_reason(sockaddr[0]):
            raise RefusedTarget(
                f"credhub does not send credentials to {host}: it resolves to {reason}. "
                "Use a public address (CREDHUB_ALLOW_PRIVATE_TARGETS allows private ones for development)."
            )
    return entries


class _CheckedConnectionMixin:
    """Open the socket only to an address that passed :func:`allowed_addresses`."""

    def _new_conn(self) -> socket.socket:
        host = self._dns_host
        try:
            entries = allowed_addresses(host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        last_error: Exception | None = None
        for *_, sockaddr in entries:
            # Connect to the checked address itself; TLS still verifies the certificate for self.host.
            self._dns_host = sockaddr[0]
            try:
                return super()._new_conn()
            except OSError as error:  # urllib3's connection errors are OSErrors: try the next address
                last_error = error
            finally:
                self._dns_host = host
        assert last_error is not None
        raise last_error


class _CheckedHTTPConnection(_CheckedConnectionMixin, DeadlineConnectionMixin, HTTPConnection):
    pass


class _CheckedHTTPSConnection(_CheckedConnectionMixin, DeadlineConnectionMixin, HTTPSConnection):
    pass


class _DeadlineHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = type("_DeadlineHTTPConnection", (DeadlineConnectionMixin, HTTPConnection), {})


class _DeadlineHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = type("_DeadlineHTTPSConnection", (DeadlineConnectionMixin, HTTPSConnection), {})


class _CheckedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = _CheckedHTTPConnection


class _CheckedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = _CheckedHTTPSConnection


class PublicTargetsAdapter(HTTPAdapter):
    """An adapter whose connections reach public addresses only."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _CheckedHTTPConnectionPool,
            "https": _CheckedHTTPSConnectionPool,
        }


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose connections obey the request's total deadline (private targets allowed)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _DeadlineHTTPConnectionPool,
            "https": _DeadlineHTTPSConnectionPool,
        }


# Origins whose idle connections each process keeps (least recently used dropped first), and the
# connections it keeps per origin: at least one per gunicorn thread.
POOLED_ORIGINS = 100
POOLED_PER_ORIGIN = 10

_shared: dict[tuple[int, bool], HTTPAdapter] = {}
_shared_lock = threading.Lock()


def shared_adapter(*, allow_private_targets: bool) -> HTTPAdapter:
    """This process's adapter of the kind asked for, made on first use.

    Opening a connection per call cost a TCP handshake (and a TLS one) on every proxied request. Keyed
    by the process as well: a worker forked from a process that already had connections must not share
    their sockets.
    """
    key = (os.getpid(), allow_private_targets)
    if (adapter := _shared.get(key)) is None:
        with _shared_lock:
            if (adapter := _shared.get(key)) is None:
                kind = DeadlineAdapter if allow_private_targets else PublicTargetsAdapter
                adapter = _shared[key] = kind(pool_connections=POOLED_ORIGINS, pool_maxsize=POOLED_PER_ORIGIN)
    return adapter
