"""How the access key list says how long until something happens: "23 h", not "23 hours, 59 minutes"."""

from __future__ import annotations

from datetime import datetime

from django import template

register = template.Library()


@register.filter
def short_until(moment: datetime | None, now: datetime) -> str:
    """The time from ``now`` to ``moment``, rounded down, in its largest useful unit: "45 min", "23 h",
    "6 d" (days from two days on, so "47 h" still reads as the hours it is)."""
    if moment is None:
        return ""
    seconds = max(int((moment - now).total_seconds()), 0)
    if seconds < 3600:
        return f"{max(seconds // 60, 1)} min"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h"
    return f"{seconds // 86400} d"
