"""Every change of state, one function each, grouped by area (access keys, API keys, connections, ...).

An action takes the organization, validated input and a keyword-only ``actor`` (a user, an access key, or
a label such as "operator (manage.py)") and ``request`` (for the caller's address). It writes and records
its audit event in one transaction, so a failed audit write leaves the database as it was, and it is the
only place that records that event. Views, the JSON API, the admin and the commands validate, then call
an action; forms only validate.
"""

from __future__ import annotations

from typing import Any


def check_organization(organization: Any, *objects: Any) -> None:
    """Refuse objects of another organization: actions are handed objects found through the gate, and
    this catches a caller that skipped it."""
    for obj in objects:
        if obj is not None and obj.organization_id != organization.pk:
            raise ValueError(f"{obj!r} belongs to another organization.")
