"""Recording audit events: one call for the browser, the API, the admin and the commands."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from credentials.addresses import client_address
from credentials.models import AuditEvent, Organization


def actor_label(actor: Any) -> str:
    """How the log (and a webhook event) names who acted: a username, "access key <ID>", or a label."""
    if hasattr(actor, "get_username"):
        return actor.get_username()[:200]
    if hasattr(actor, "key_id"):
        return f"access key {actor.key_id}"[:200]
    return str(actor or "system")[:200]


def record(
    action: str,
    *,
    organization: Organization | None,
    actor: Any = None,
    target: Any = None,
    request: HttpRequest | None = None,
    via: str = "",
    **details: Any,
) -> AuditEvent:
    """Store one audit event. ``actor`` is a user, an access key, or a label such as "operator (manage.py)";
    ``via`` names the road the change came by ("Django admin", "manage.py"), if not a screen or the API.

    ``details`` must never carry a secret: pass names, IDs and changed field names only.
    """
    if via:
        details["via"] = via
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        if request.user.is_authenticated:
            actor = request.user
    return AuditEvent.objects.create(
        organization=organization,
        actor_user=actor if hasattr(actor, "get_username") else None,
        actor=actor_label(actor),
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or "") if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        address=client_address(request),
        details=details,
    )


# How the log names a command-line change: operators run these commands, not a signed-in user.
OPERATOR = "operator (manage.py)"

# Actions in words, for the audit log page. An action missing here is still shown, spelled out
# from its code ("access_key.renamed" → "Access key renamed"), so a new feature is never hidden.
ACTION_WORDS = {
    "credential.created": "Created credential",
    "credential.edited": "Edited credential",
    "credential.renamed": "Renamed credential",
    "credential.deleted": "Deleted credential",
    "credential.tested": "Tested credential",
    "organization_credential.deleted": "Removed organization credential",
    "access_key.created": "Created access key",
    "access_key.renamed": "Renamed access key",
    "access_key.edited": "Edited access key",
    "access_key.deleted": "Deleted access key",
    "access_key.revoked": "Revoked access key",
    "access_key.expired": "Expired access key",
    "access_key.deactivated": "Deactivated access key",
    "access_key.reactivated": "Reactivated access key",
    "access_key.rolled": "Rolled access key",
    "access_key.permissions_changed": "Changed an access key's credential permissions",
    "access_key.addresses_changed": "Changed an access key's allowed addresses",
    "access_key.expiring": "Warned that an access key expires soon",
    "api_key.created": "Generated API key",
    "api_key.regenerated": "Regenerated API key",
    "api_key.renamed": "Renamed API key",
    "api_key.edited": "Edited API key",
    "api_key.deleted": "Deleted API key",
    "api_key.deactivated": "Deactivated API key",
    "api_key.reactivated": "Reactivated API key",
    "debug_session_key.revealed": "Showed the debug session key",
    "debug_session_key.regenerated": "Regenerated the debug session key",
    "organization.created": "Created organization",
    "organization.edited": "Edited organization",
    "organization.deleted": "Deleted organization",
    "organization.policy_changed": "Changed a policy",
    "access_key_policy.changed": "Changed the access key expiry policy",
    "membership.created": "Added member",
    "membership.edited": "Changed member role",
    "membership.deleted": "Removed member",
    "connection.created": "Created connection",
    "connection.reauthenticated": "Re-authenticated connection",
    "connection.credential_changed": "Changed a connection's credential",
    "connection.renamed": "Renamed connection",
    "connection.edited": "Edited connection",
    "connection.deleted": "Deleted connection",
    "encryption.rotated": "Re-encrypted secrets under the primary key",
    "webhook.created": "Added webhook endpoint",
    "webhook.edited": "Edited webhook endpoint",
    "webhook.enabled": "Enabled webhook endpoint",
    "webhook.disabled": "Disabled webhook endpoint",
    "webhook.disabled_automatically": "Disabled webhook endpoint after repeated failures",
    "webhook.secret_rolled": "Rolled webhook signing secret",
    "webhook.deleted": "Deleted webhook endpoint",
    "webhook.test_sent": "Sent webhook test event",
    "webhook.delivery_resent": "Resent webhook delivery",
    "webhook.deliveries_retried": "Retried failed webhook deliveries",
    "sign_in.locked_out": "Locked sign-in after repeated wrong passwords",
}


def describe(action: str) -> str:
    """The action in words."""
    if action in ACTION_WORDS:
        return ACTION_WORDS[action]
    subject, _, verb = action.partition(".")
    return " ".join(part for part in (subject.replace("_", " "), verb.replace("_", " ")) if part).capitalize()
