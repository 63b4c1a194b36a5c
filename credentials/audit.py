"""Recording audit events: one call for the browser, the API, the admin and the commands."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from credentials.models import AuditEvent, Organization


def client_address(request: HttpRequest | None) -> str | None:
    """The caller's address as the server saw it (credhub trusts no forwarded header by default)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action: str,
    *,
    organization: Organization | None,
    actor: Any = None,
    target: Any = None,
    request: HttpRequest | None = None,
    **details: Any,
) -> AuditEvent:
    """Store one audit event. ``actor`` is a user, an access key, or a label such as "operator (manage.py)".

    ``details`` must never carry a secret: pass names, IDs and changed field names only.
    """
    actor_user = None
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    if hasattr(actor, "get_username"):
        actor_user, actor_label = actor, actor.get_username()
    elif hasattr(actor, "key_id"):
        actor_label = f"access key {actor.key_id}"
    else:
        actor_label = str(actor or "system")
    return AuditEvent.objects.create(
        organization=organization,
        actor_user=actor_user,
        actor=actor_label[:200],
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        address=client_address(request),
        details=details,
    )
