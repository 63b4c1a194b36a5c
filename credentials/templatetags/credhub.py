"""Template filters and tags for how credhub words times and marks on screen, and links its list rows."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from functools import lru_cache

from django import template
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils import timezone
from django.utils.timesince import timesince

from credentials import allowed_addresses, credential_permissions, expiry
from credentials.proxy import ERROR_WORDS

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


@register.filter
def short_until(moment: datetime | None, now: datetime) -> str:
    """The time from ``now`` to ``moment``, rounded down, in its largest useful unit: "45 min", "23 h",
    "6 d" (days from two days on, so "47 h" still reads as the hours it is)."""
    if moment is None:
        return ""
    return _short(int((moment - now).total_seconds()))


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


@register.filter(name="credential_permissions")
def credential_permissions_summary(access_key) -> str:
    """An access key's credential permission in a few words: "Uses 2 credentials"."""
    return credential_permissions.summary(access_key)


@register.filter
def proxy_error(code: str) -> str:
    """A usage record's ``Credhub-Error`` code in words ("Timed out"); an unknown code as it is."""
    return ERROR_WORDS.get(code, code)


@register.filter(name="allowed_addresses")
def allowed_addresses_summary(addresses) -> str:
    """Where a key may be used from in a few words: "Restricted to 2 ranges" ("" for anywhere)."""
    return allowed_addresses.summary(addresses)


@register.simple_tag
def max_lifetime_note(access_key, organization, now) -> str:
    """ "Over the organization's maximum lifetime: stops working on 1 March 2026" (or "" within it)."""
    return expiry.max_lifetime_note(access_key, organization, now)


# A list screen renders several links on each of its rows, and reversing a URL costs about 20 µs: a
# few milliseconds on a page of rows. A row's links differ from its neighbours' only in the row's UUID,
# so each is reversed once per view name, organization and script prefix with a stand-in UUID, and
# the row's UUID takes the stand-in's place.
_STAND_IN = uuid.UUID(int=0)


@lru_cache(maxsize=1024)
def row_url_parts(view_name: str, org_slug: str, script_prefix: str) -> tuple[str, str]:
    url = reverse(view_name, args=[org_slug, _STAND_IN])
    # The last occurrence: the row's UUID comes after the organization's slug, which could spell the same.
    before, stand_in, after = url.rpartition(str(_STAND_IN))
    if not stand_in:
        raise NoReverseMatch(f"{view_name} does not end its URL in the row's UUID")
    return before, after


@register.simple_tag
def row_url(view_name: str, org_slug: str, row_id: uuid.UUID | str) -> str:
    """``{% url view_name org_slug row_id %}`` for a view whose URL is an organization's and a row's UUID."""
    before, after = row_url_parts(view_name, org_slug, get_script_prefix())
    return f"{before}{row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id)}{after}"
