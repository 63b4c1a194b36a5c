"""An access key's allowed addresses: the IPv4/IPv6 addresses and CIDR ranges it may be used from.

An empty list lets the key be used from anywhere. Entries are stored normalized (``10.0.0.0/8``,
``2001:db8::/32``, a single address as itself), so that the check parses nothing it has not seen before.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.core.exceptions import ValidationError

MAX_ENTRIES = 50
TOO_MANY = "Enter at most {limit} addresses or ranges (there are {count})."
NOT_AN_ADDRESS = "“{entry}” is not an IPv4 or IPv6 address or CIDR range (such as 203.0.113.0/24 or 2001:db8::/32)."
HOST_BITS = "“{entry}” has bits set after its prefix length: did you mean {network}?"
FROM_ADDRESS = "This key cannot be used from {address}."
UNKNOWN_ADDRESS = "an unknown address"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _normalized(entry: str) -> str:
    try:
        network = ipaddress.ip_network(entry, strict=True)
    except ValueError:
        try:
            loose = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ValidationError(NOT_AN_ADDRESS.format(entry=entry[:60])) from None
        raise ValidationError(HOST_BITS.format(entry=entry, network=loose)) from None
    # A single address (a /32 or /128) is kept as the address itself, as it was most likely typed.
    if network.num_addresses == 1:
        return str(network.network_address)
    return str(network)


def parse(entries: str | Iterable[str]) -> list[str]:
    """The validated, normalized entries (text: one per line; blank lines and duplicates dropped), or a
    :class:`ValidationError` naming every entry that is wrong."""
    if isinstance(entries, str):
        entries = entries.splitlines()
    cleaned: list[str] = []
    problems: list[str] = []
    for raw in entries:
        entry = str(raw).strip()
        if not entry:
            continue
        try:
            value = _normalized(entry)
        except ValidationError as problem:
            problems.extend(problem.messages)
            continue
        if value not in cleaned:
            cleaned.append(value)
    if problems:
        raise ValidationError(problems[:5])
    if len(cleaned) > MAX_ENTRIES:
        raise ValidationError(TOO_MANY.format(limit=MAX_ENTRIES, count=len(cleaned)))
    return cleaned


# Checked on every request of a restricted key: networks and addresses are parsed once into integers, so
# that a check is a few integer comparisons (the ipaddress objects' own ``in`` is several times slower).
@lru_cache(maxsize=1024)
def _networks(entries: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
    networks = (ipaddress.ip_network(entry, strict=False) for entry in entries)
    return tuple((network.version, int(network.network_address), int(network.netmask)) for network in networks)


@lru_cache(maxsize=4096)
def _address(address: str) -> tuple[int, int] | None:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # an IPv4 client seen through a dual-stack socket
    return ip.version, int(ip)


def permits(allowed: list[str] | None, address: str | None) -> bool:
    """Whether a key with these allowed addresses may be used from ``address`` (an unknown one: only if
    the key is not restricted). An IPv4-mapped IPv6 address counts as its IPv4 address."""
    if not allowed:
        return True
    parsed = _address(address) if address else None
    if parsed is None:
        return False
    version, value = parsed
    return any(
        version == network_version and value & mask == network
        for network_version, network, mask in _networks(tuple(allowed))
    )


def refusal(allowed: list[str] | None, address: str | None) -> str | None:
    """What a request from ``address`` is told if the key may not be used from there, or None."""
    if permits(allowed, address):
        return None
    return FROM_ADDRESS.format(address=address or UNKNOWN_ADDRESS)


def summary(allowed: list[str] | None) -> str:
    """How a key's row says it: "Restricted to 2 ranges", "Restricted to 1 address", or "" (anywhere)."""
    if not allowed:
        return ""
    if len(allowed) == 1 and "/" not in allowed[0]:
        return "Restricted to 1 address"
    return f"Restricted to {len(allowed)} range{'s' if len(allowed) != 1 else ''}"
