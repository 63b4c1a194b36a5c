"""How the access key list says how long until or since something happened: "23 h", not "23 hours, 59
minutes"."""

from __future__ import annotations

from datetime import datetime

from django import template

from credentials import expiry

register = template.Library()


@register.filter
def short_until(moment: datetime | None, now: datetime) -> str:
    """The time from ``now`` to ``moment``, rounded down, in its largest useful unit: "45 min", "23 h",
    "6 d" (days from two days on, so "47 h" still reads as the hours it is)."""
    if moment is None:
        return ""
    return _short(int((moment - now).total_seconds()))


@register.filter
def short_since(moment: datetime | None, now: datetime) -> str:
    """The time from ``moment`` to ``now``, as :func:`short_until` says it: "5 min" (then "… ago")."""
    if moment is None:
        return ""
    return _short(int((now - moment).total_seconds()))


def _short(seconds: int) -> str:
    seconds = max(seconds, 0)
    if seconds < 3600:
        return f"{seconds // 60} min" if seconds >= 60 else "under 1 min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"


@register.filter
def expires_soon(moment: datetime | None, now: datetime) -> bool:
    return expiry.expires_soon(moment, now)


@register.filter
def time_left(moment: datetime, now: datetime) -> str:
    return expiry.time_left(moment, now)
