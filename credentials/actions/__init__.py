"""Every change of state, one function each, grouped by area (access keys, API keys, connections, ...).

An action takes the organization, validated input and a keyword-only ``actor`` (a user, an access key, or
a label such as "operator (manage.py)") and ``request`` (for the caller's address). It writes and records
its audit event in one transaction, so a failed audit write leaves the database as it was, and it is the
only place that records that event. Views, the JSON API, the admin and the commands validate, then call
an action; forms only validate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone


def check_organization(organization: Any, *objects: Any) -> None:
    """Refuse objects of another organization: actions are handed objects found through the gate, and
    this catches a caller that skipped it."""
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValueError(f"{obj!r} belongs to another organization.")


def set_active(key: Any, active: bool, record: Callable[[Any, datetime | None], None]) -> bool:
    """Deactivate or reactivate an access key or API key under a row lock, with ``record(locked row,
    inactive since)`` writing its audit event in the same transaction. Returns False (and records
    nothing) if the key already was so; ``key`` shows the stored state afterwards either way."""
    with transaction.atomic():
        locked = type(key).objects.select_for_update().get(pk=key.pk)
        inactive_since = locked.deactivated_at
        if (inactive_since is None) == active:
            key.deactivated_at = inactive_since
            return False
        locked.deactivated_at = None if active else timezone.now()
        locked.save(update_fields=["deactivated_at"])
        record(locked, inactive_since)
    key.deactivated_at = locked.deactivated_at
    return True
