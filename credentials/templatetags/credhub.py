"""Template filters for how credhub words times and marks on screen."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.templatetags.static import static
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()


@register.filter
def ago(moment: datetime | None) -> str:
    """ "just now" under a minute, else "5 minutes ago" (Django's timesince reads "0 minutes")."""
    if moment is None:
        return ""
    if timezone.now() - moment < timedelta(minutes=1):
        return "just now"
    return f"{timesince(moment)} ago"


@register.filter
def connector_mark(code: str) -> str:
    """The URL of a connector's mark (static/connectors/<code>.svg)."""
    return static(f"connectors/{code}.svg")


@register.filter
def deleted_credential(revoked_reason: str) -> str:
    """The name of the deleted credential a connection was revoked for ("" if it was revoked otherwise).

    The connection keeps no link to a deleted credential, only the reason written when it was revoked.
    """
    prefix, suffix = "Credential “", "” was deleted."
    if revoked_reason and revoked_reason.startswith(prefix) and revoked_reason.endswith(suffix):
        return revoked_reason[len(prefix) : -len(suffix)]
    return ""
