"""Organizations: create one (with its first Organization Admin), edit it from the admin, delete it; its
members; its debug session key; its access key expiry policy."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest

from credentials import audit, keys
from credentials.actions import check_organization
from credentials.models import Membership, Organization
from credentials.webhooks.events import emit

# Organization fields whose old and new values go into the audit log (none is secret); an edit of any
# other field is recorded by name only.
POLICY_FIELDS = (
    "api_credentials_enabled",
    "access_key_expiry_periods",
    "access_key_allow_no_expiry",
    "access_key_default_expiry",
    "access_key_max_lifetime",
    "access_key_max_lifetime_grace_until",
    "api_key_policy",
    "api_key_sunset_at",
)


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def do_create_organization(
    organization: Organization,
    *,
    admin: AbstractBaseUser | None = None,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
    **details: Any,
) -> Organization:
    """Store a new, validated ``organization`` and make ``admin`` (saved first if new) its Organization
    Admin; audits ``organization.created`` with ``details``."""
    with transaction.atomic():
        organization.save(force_insert=True)
        if admin is not None:
            if admin.pk is None:
                admin.save()
            Membership.objects.create(user=admin, organization=organization, role=Membership.Role.ADMIN)
            details["admin"] = admin.get_username()
        audit.record(
            "organization.created",
            organization=organization,
            actor=actor,
            target=organization,
            request=request,
            **details,
            via=via,
        )
    return organization


def do_edit_organization(
    organization: Organization,
    changes: dict[str, tuple[Any, Any]],
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Store the fields the admin's validated form has set on ``organization``; ``changes`` maps each
    changed field to its (old, new) value. Audits ``organization.policy_changed`` with the old and new
    values of the policies, and ``organization.edited`` with the names of the other fields."""
    if not changes:
        return
    policies = {name: [_plain(old), _plain(new)] for name, (old, new) in changes.items() if name in POLICY_FIELDS}
    others = [name for name in changes if name not in POLICY_FIELDS]
    with transaction.atomic():
        organization.save()
        common = {"organization": organization, "actor": actor, "target": organization, "request": request}
        if policies:
            audit.record("organization.policy_changed", **common, changes=policies, via=via)
            emit(organization, "organization.policy_changed", {"changes": policies}, actor=actor)
        if others:
            audit.record("organization.edited", **common, changed=others, via=via)


def do_delete_organization(
    organization: Organization, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> None:
    """Delete an organization with everything it holds. Audits ``organization.deleted`` under its parent
    (or with no organization): the organization's own log goes with it."""
    with transaction.atomic():
        audit.record(
            "organization.deleted",
            organization=organization.parent,
            actor=actor,
            target=organization,
            request=request,
            slug=organization.slug,
            account_id=organization.account_id,
            via=via,
        )
        organization.delete()


# Members ----------------------------------------------------------------------------------------


def do_add_member(
    organization: Organization,
    membership: Membership,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> Membership:
    """Store a new ``membership`` (its user and role set) in ``organization``; audits ``membership.created``."""
    with transaction.atomic():
        membership.organization = organization
        membership.save(force_insert=True)
        audit.record(
            "membership.created",
            organization=organization,
            actor=actor,
            target=membership,
            request=request,
            role=membership.role,
            via=via,
        )
    return membership


def do_change_member(
    organization: Organization,
    membership: Membership,
    changed: list[str],
    *,
    actor: Any,
    request: HttpRequest | None = None,
    via: str = "",
) -> None:
    """Store the fields (role, user) the admin's validated form has set on ``membership``; audits
    ``membership.edited`` with their names. An unchanged membership records nothing."""
    check_organization(organization, membership)
    if not changed:
        return
    with transaction.atomic():
        membership.save()
        audit.record(
            "membership.edited",
            organization=organization,
            actor=actor,
            target=membership,
            request=request,
            changed=list(changed),
            via=via,
        )


def do_remove_member(
    organization: Organization, membership: Membership, *, actor: Any, request: HttpRequest | None = None, via: str = ""
) -> None:
    """End a membership (the user's access keys lose their power with it); audits ``membership.deleted``."""
    check_organization(organization, membership)
    with transaction.atomic():
        audit.record(
            "membership.deleted",
            organization=organization,
            actor=actor,
            target=membership,
            request=request,
            via=via,
        )
        membership.delete()


# The debug session key and the access key expiry policy -----------------------------------------


def do_reveal_debug_session_key(organization: Organization, *, actor: Any, request: HttpRequest | None = None) -> str:
    """Return the debug session key for showing; changes nothing but audits ``debug_session_key.revealed``."""
    with transaction.atomic():
        audit.record(
            "debug_session_key.revealed", organization=organization, actor=actor, target=organization, request=request
        )
    return organization.debug_session_key


def do_regenerate_debug_session_key(
    organization: Organization, *, actor: Any, request: HttpRequest | None = None
) -> str:
    """Give the organization a new debug session key (the old one stops matching) and return it;
    audits ``debug_session_key.regenerated``."""
    with transaction.atomic():
        key = keys.regenerate_debug_session_key(organization)
        audit.record(
            "debug_session_key.regenerated",
            organization=organization,
            actor=actor,
            target=organization,
            request=request,
        )
    return key


# Left out of a policy change: the stored value stays (the admin's form sets every field).
KEEP: Any = object()


def do_change_expiry_policy(
    organization: Organization,
    periods: list[int],
    allow_no_expiry: bool,
    default_days: int | None,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    max_lifetime: Any = KEEP,
    max_lifetime_grace_until: Any = KEEP,
) -> None:
    """Set which expiry periods new access keys may have, whether "No expiry" is allowed, the default
    (None: no expiry) and, when given, the maximum lifetime in days (None: no maximum) with the date
    until which keys already over it keep working (None: refused at once); audits
    ``access_key_policy.changed`` with the policy before and after.

    The maximum is never applied by revoking keys: a key over it is refused on use after the grace date,
    and works again if the maximum is raised or removed."""

    def policy() -> dict[str, Any]:
        grace = organization.access_key_max_lifetime_grace_until
        return {
            "periods": organization.access_key_expiry_periods,
            "allow_no_expiry": organization.access_key_allow_no_expiry,
            "default": organization.access_key_default_expiry,
            "max_lifetime": organization.access_key_max_lifetime,
            "max_lifetime_grace_until": grace.isoformat() if grace else None,
        }

    with transaction.atomic():
        before = policy()
        organization.access_key_expiry_periods = sorted(periods)
        organization.access_key_allow_no_expiry = allow_no_expiry
        organization.access_key_default_expiry = default_days
        fields = ["access_key_expiry_periods", "access_key_allow_no_expiry", "access_key_default_expiry"]
        if max_lifetime is not KEEP:
            organization.access_key_max_lifetime = max_lifetime or None
            fields.append("access_key_max_lifetime")
        if max_lifetime_grace_until is not KEEP:
            organization.access_key_max_lifetime_grace_until = max_lifetime_grace_until
            fields.append("access_key_max_lifetime_grace_until")
        organization.save(update_fields=fields)
        audit.record(
            "access_key_policy.changed",
            organization=organization,
            actor=actor,
            target=organization,
            request=request,
            before=before,
            after=policy(),
        )
        changes = {"access_key_expiry_policy": [before, policy()]}
        emit(organization, "organization.policy_changed", {"changes": changes}, actor=actor)
