"""Whose request is this: the client address credhub counts failures for and writes in the audit log."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest | None) -> str | None:
    """The caller's address: ``REMOTE_ADDR``, unless that peer is a trusted proxy.

    Behind proxies listed in ``CREDHUB_TRUSTED_PROXIES``, the address is the rightmost hop of
    ``X-Forwarded-For`` that is not itself a trusted proxy: everything left of it was written by the
    client and proves nothing. Without trusted proxies, a forwarded header is ignored entirely.
    """
    if request is None:
        return None
    peer = request.META.get("REMOTE_ADDR") or None
    networks = _networks(tuple(getattr(settings, "CREDHUB_TRUSTED_PROXIES", ())))
    if peer is None or not networks or not _is_trusted(peer, networks):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for hop in reversed([hop.strip() for hop in forwarded.split(",") if hop.strip()]):
        if not _is_trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # a malformed hop: the proxy's own address is all that is known
    return peer
