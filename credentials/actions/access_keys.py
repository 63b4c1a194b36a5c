"""Access keys: create (by an admin or for an integration), rename, edit from the admin, roll, deactivate,
reactivate, delete, revoke and expire, choose which credentials a key may use and where from. Deleting, revoking or
expiring a key revokes the connections established with it; deactivating and rolling do not."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from credentials import allowed_addresses, audit, credential_permissions, expiry, keys
from credentials.actions import check_organization, set_active
from credentials.actions.connections import revoke_connections_for_access_key
from credentials.models import AccessKey, Credential, ExpiryNotice, Organization
from credentials.webhooks.events import access_key_data, emit


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@sensitive_variables("secret")
def do_create_access_key(
    organization: Organization,
    name: str,
    expires_at: datetime | None,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    credential_access: str = AccessKey.CredentialAccess.NONE,
    permitted_credentials: Sequence[Credential] = (),
    addresses: Sequence[str] = (),
) -> tuple[AccessKey, str]:
    """Create an access key owned by ``actor`` (a user), permitted the credentials chosen (none by default)
    and usable from ``addresses`` (validated by ``allowed_addresses.parse``; none: anywhere); returns it and
    its secret, shown once. Audits ``access_key.created``. A lifetime over the organization's maximum is
    refused (ValueError with the message): forms and the API say so first."""
    check_organization(organization, *permitted_credentials)
    if problem := expiry.expiry_problem(organization, expires_at, timezone.now()):
        raise ValueError(problem)
    with transaction.atomic():
        access_key, secret = keys.create_access_key(organization, name, owner=actor, expires_at=expires_at)
        permissions = _grant(access_key, credential_access, permitted_credentials)
        _restrict(access_key, addresses)
        _record(
            "access_key.created",
            access_key,
            actor=actor,
            request=request,
            expires_at=_iso(access_key.expires_at),
            allowed_addresses=access_key.allowed_addresses,
            **permissions,
        )
    return access_key, secret


@sensitive_variables("secret")
def do_create_system_access_key(
    organization: Organization,
    name: str,
    role: str,
    expires_in_days: int | None,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    credential_access: str = AccessKey.CredentialAccess.NONE,
    permitted_credentials: Sequence[Credential] = (),
    addresses: Sequence[str] = (),
) -> tuple[AccessKey, str]:
    """Create a system-generated access key (owned by no user, acting with ``role``) for an integration,
    permitted the credentials chosen (none by default), usable from ``addresses`` (none: anywhere); returns
    it and its secret, shown once. Audits ``access_key.created``. A lifetime over the organization's
    maximum is refused (ValueError with the message).

    The key's format and stored hash are those of every access key, so the JSON API accepts it like any other.
    """
    check_organization(organization, *permitted_credentials)
    if problem := expiry.lifetime_problem(organization, expires_in_days or None):
        raise ValueError(problem)
    expires_at = expiry.expires_at(expires_in_days or None, timezone.now())
    with transaction.atomic():
        access_key, secret = keys.create_access_key(
            organization, name, system_generated=True, role=role, expires_at=expires_at
        )
        permissions = _grant(access_key, credential_access, permitted_credentials)
        _restrict(access_key, addresses)
        _record(
            "access_key.created",
            access_key,
            actor=actor,
            request=request,
            role=access_key.role,
            system_generated=True,
            expires_at=_iso(access_key.expires_at),
            allowed_addresses=access_key.allowed_addresses,
            **permissions,
        )
    return access_key, secret


def do_rename_access_key(
    organization: Organization, access_key: AccessKey, name: str, *, actor: Any, request: HttpRequest | None = None
) -> None:
    """Rename an access key; audits ``access_key.renamed`` with the old name."""
    check_organization(organization, access_key)
    with transaction.atomic():
        old_name = access_key.name
        access_key.name = name
        access_key.save(update_fields=["name"])
        _record("access_key.renamed", access_key, actor=actor, request=request, old_name=old_name)


def do_edit_access_key(
    organization: Organization,
    access_key: AccessKey,
    changed: list[str],
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Store the fields (name, role, expiry) the admin's validated form has set on ``access_key``;
    audits ``access_key.edited`` with the changed field names. An unchanged edit records nothing."""
    check_organization(organization, access_key)
    if not changed:
        return
    with transaction.atomic():
        access_key.save(update_fields=list(changed))
        _record("access_key.edited", access_key, actor=actor, request=request, via=via, changed=list(changed))


def _record(action: str, access_key: AccessKey, *, actor: Any, request: Any, **details: Any) -> None:
    audit.record(
        action,
        organization=access_key.organization,
        actor=actor,
        target=access_key,
        request=request,
        key_id=access_key.key_id,
        **details,
    )
    # The webhook events of the catalog (credentials/webhooks/events.py) among these audit events.
    if action in ("access_key.created", "access_key.deleted", "access_key.expired"):
        data = {"access_key": access_key_data(access_key)}
        if "revoked_connections" in details:
            data["revoked_connections"] = details["revoked_connections"]
        emit(access_key.organization, action, data, actor=actor)


def do_delete_access_key(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> list[str]:
    """Delete an access key and revoke the connections established with it; returns their names.
    Audits ``access_key.deleted``."""
    check_organization(organization, access_key)
    with transaction.atomic():
        revoked = revoke_connections_for_access_key(access_key, "was deleted")
        _record("access_key.deleted", access_key, actor=actor, request=request, via=via, revoked_connections=revoked)
        access_key.delete()
    return revoked


def do_revoke_access_key(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> list[str]:
    """Revoke an access key (it stays listed but stops working) and the connections established with it;
    returns their names. Audits ``access_key.revoked``; a key already revoked changes and records nothing."""
    check_organization(organization, access_key)
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        if locked.revoked_at is not None:
            return []
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        revoked = revoke_connections_for_access_key(locked, "was revoked")
        _record("access_key.revoked", locked, actor=actor, request=request, via=via, revoked_connections=revoked)
    access_key.revoked_at = locked.revoked_at
    return revoked


def do_expire_access_key(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> list[str]:
    """Make an access key expire now (unless it already has) and revoke the connections established with
    it; returns their names. Audits ``access_key.expired`` with the previous expiry."""
    check_organization(organization, access_key)
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        previous = locked.expires_at
        if previous is None or previous > timezone.now():
            locked.expires_at = timezone.now()
            locked.save(update_fields=["expires_at"])
        revoked = revoke_connections_for_access_key(locked, "expired")
        # Told once: the daily expiry notices (actions/expiry_notices.py) do not announce it again.
        ExpiryNotice.objects.get_or_create(access_key=locked, days_left=0)
        _record(
            "access_key.expired",
            locked,
            actor=actor,
            request=request,
            via=via,
            revoked_connections=revoked,
            previous_expiry=_iso(previous),
        )
    access_key.expires_at = locked.expires_at
    return revoked


def do_deactivate_access_key(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> bool:
    """Make an access key refuse every request until it is reactivated; returns False (and records
    nothing) if it was already inactive. Audits ``access_key.deactivated``.

    Unlike delete, revoke and expire, the connections established with the key stay as they are: a
    deactivation is meant to be undone, and re-authenticating every connection would undo nothing."""
    check_organization(organization, access_key)
    return set_active(
        access_key,
        False,
        lambda locked, _since: _record("access_key.deactivated", locked, actor=actor, request=request, via=via),
    )


def do_reactivate_access_key(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> bool:
    """Let an inactive access key authenticate again; returns False (and records nothing) if it was
    active. Audits ``access_key.reactivated``. A revoked or expired key stays refused for that reason."""
    check_organization(organization, access_key)
    return set_active(
        access_key,
        True,
        lambda locked, since: _record(
            "access_key.reactivated", locked, actor=actor, request=request, via=via, inactive_since=_iso(since)
        ),
    )


@sensitive_variables("secret")
def do_roll_access_key(
    organization: Organization,
    access_key: AccessKey,
    grace: timedelta,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> str:
    """Give an access key a new secret, the same key ID, and return the secret (shown once); the current
    secret keeps working for ``grace``, never beyond the key's expiry. Audits ``access_key.rolled``.

    Rolling a key that is still rolling ends the secret the earlier roll replaced at once. Connections
    established with the key are kept: the key, and who may use it, are the same."""
    check_organization(organization, access_key)
    now = timezone.now()
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        if refusal := keys.roll_refusal(locked, now):
            raise ValueError(refusal)
        ended_previous = locked.is_rolling(now)
        secret = keys.roll_access_key(locked, grace, now)
        _record(
            "access_key.rolled",
            locked,
            actor=actor,
            request=request,
            via=via,
            previous_secret_until=_iso(locked.previous_secret_until),
            ended_earlier_roll=ended_previous,
        )
    access_key.secret_hash = locked.secret_hash
    access_key.previous_secret_hash = locked.previous_secret_hash
    access_key.previous_secret_until = locked.previous_secret_until
    return secret


# Credential permissions -------------------------------------------------------------------------


def _grant(access_key: AccessKey, access: str, credentials: Sequence[Credential]) -> dict[str, Any]:
    """Store which credentials ``access_key`` may use (the list counts only for "selected"); returns the
    permission as the audit log and the webhook event describe it."""
    if access not in AccessKey.CredentialAccess.values:
        raise ValueError(f"{access!r} is not a credential access.")
    if access_key.credential_access != access:
        access_key.credential_access = access
        access_key.save(update_fields=["credential_access"])
    if access == AccessKey.CredentialAccess.SELECTED:
        access_key.permitted_credentials.set(credentials)
    else:
        access_key.permitted_credentials.clear()
    return credential_permissions.description(access_key)


def do_set_credential_permissions(
    organization: Organization,
    access_key: AccessKey,
    access: str,
    credentials: Sequence[Credential],
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> bool:
    """Choose which credentials an access key may use through the proxy: none, all, or ``credentials``
    (validated by ``credential_permissions.resolve``: the organization's own). Audits
    ``access_key.permissions_changed`` with the permission before and after, and emits the webhook event
    of that name; returns False (and records nothing) if the permission is already so."""
    check_organization(organization, access_key, *credentials)
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        before = credential_permissions.description(locked)
        wanted = sorted(str(credential.pk) for credential in credentials)
        if access == AccessKey.CredentialAccess.SELECTED:
            unchanged = (
                before["credential_access"] == access
                and sorted(row["id"] for row in before["permitted_credentials"]) == wanted
            )
        else:
            unchanged = before["credential_access"] == access
        if unchanged:
            return False
        after = _grant(locked, access, credentials)
        _record(
            "access_key.permissions_changed", locked, actor=actor, request=request, via=via, **after, previous=before
        )
        emit(
            organization,
            "access_key.permissions_changed",
            {"access_key": access_key_data(locked), **after, "previous": before},
            actor=actor,
        )
    access_key.credential_access = locked.credential_access
    return True


# Allowed addresses ------------------------------------------------------------------------------


def _restrict(access_key: AccessKey, addresses: Sequence[str]) -> None:
    # Parsed again here, so that no caller can store an entry the check would not understand.
    access_key.allowed_addresses = allowed_addresses.parse(addresses)
    if access_key.allowed_addresses:
        access_key.save(update_fields=["allowed_addresses"])


def do_set_allowed_addresses(
    organization: Organization,
    access_key: AccessKey,
    addresses: Sequence[str],
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> bool:
    """Set the addresses and CIDR ranges an access key may be used from (none: anywhere), validated by
    ``allowed_addresses.parse`` (a ValidationError otherwise). Audits ``access_key.addresses_changed``
    with the list before and after, and emits the webhook event of that name; returns False (and records
    nothing) if the list is already so. The change applies to the key's next request."""
    check_organization(organization, access_key)
    wanted = allowed_addresses.parse(addresses)
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        before = list(locked.allowed_addresses or [])
        if before == wanted:
            access_key.allowed_addresses = before
            return False
        locked.allowed_addresses = wanted
        locked.save(update_fields=["allowed_addresses"])
        _record(
            "access_key.addresses_changed",
            locked,
            actor=actor,
            request=request,
            via=via,
            allowed_addresses=wanted,
            previous=before,
        )
        emit(
            organization,
            "access_key.addresses_changed",
            {"access_key": access_key_data(locked), "allowed_addresses": wanted, "previous": before},
            actor=actor,
        )
    access_key.allowed_addresses = wanted
    return True
