"""Every action writes and records its audit event as one: a failed audit write leaves the database as
it was, and a normal call records exactly its events.

The actions are listed once, in ``CASES``; a new action is one more row (and a test below fails until it
has one). The audit write is made to fail where it really would, at the insert of the audit row.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import DatabaseError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credentials import keys
from credentials.actions import access_keys, api_keys, connections, encryption, expiry_notices, organizations
from credentials.audit import OPERATOR
from credentials.encryption import Sealed
from credentials.forms.access_keys import default_expiry
from credentials.models import AccessKey, APIKey, AuditEvent, Connection, Membership, Organization
from tests.factories import make_connection, make_credential, make_system_key

ACTION_MODULES = (access_keys, api_keys, connections, encryption, expiry_notices, organizations)
OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@dataclass
class World:
    """What the actions act on: Acme with its admin and member, a credential, keys, connections."""

    organization: Organization
    admin: Any
    member: Any
    settings: Any

    def __post_init__(self) -> None:
        self.credential = make_credential(self.organization, "Billing API", connector="kissmetrics")
        self.spare_credential = make_credential(self.organization, "Billing API 2", connector="kissmetrics")
        self.access_key, _ = make_system_key(self.organization, expires_in_days=30)
        self.key_connection = make_connection(self.organization, "Warehouse", access_key=self.access_key)
        self.connection = make_connection(self.organization, "Events", credential=self.credential)
        self.api_key, _ = keys.create_api_key(self.organization, "Zapier", created_by=self.admin)
        self.membership = Membership.objects.get(user=self.member, organization=self.organization)


@dataclass(frozen=True)
class Case:
    """One action: ``arrange`` readies what it needs and returns the call; ``events`` it records."""

    action: Callable[..., Any]
    arrange: Callable[[World], Callable[[], Any]]
    events: tuple[str, ...]
    # Re-encryption changes ciphertexts but never what they decrypt to: compare the secrets decrypted.
    reencrypts: bool = False

    @property
    def id(self) -> str:
        return self.action.__name__


def _edited_access_key(w: World) -> Callable[[], Any]:
    w.access_key.name, w.access_key.role = "Warehouse nightly", Membership.Role.ADMIN
    return lambda: access_keys.do_edit_access_key(w.organization, w.access_key, ["name", "role"], actor=w.admin)


def _access_key_expiring(w: World) -> Callable[[], Any]:
    AccessKey.objects.filter(pk=w.access_key.pk).update(expires_at=timezone.now() + timedelta(days=3))
    w.access_key.refresh_from_db()
    return lambda: expiry_notices.do_send_expiry_notice(w.organization, w.access_key, actor=OPERATOR)


def _inactive_access_key(w: World) -> Callable[[], Any]:
    AccessKey.objects.filter(pk=w.access_key.pk).update(deactivated_at=timezone.now())
    w.access_key.refresh_from_db()
    return lambda: access_keys.do_reactivate_access_key(w.organization, w.access_key, actor=w.admin)


def _inactive_api_key(w: World) -> Callable[[], Any]:
    APIKey.objects.filter(pk=w.api_key.pk).update(deactivated_at=timezone.now())
    w.api_key.refresh_from_db()
    return lambda: api_keys.do_reactivate_api_key(w.organization, w.api_key, actor=w.admin)


def _new_connection_from_admin(w: World) -> Callable[[], Any]:
    connection = Connection(organization=w.organization, kind="source", connector="kissmetrics", name="New")
    return lambda: connections.do_save_connection(
        w.organization, connection, ["name"], created=True, actor=w.admin, via="Django admin"
    )


def _edited_connection_from_admin(w: World) -> Callable[[], Any]:
    w.connection.name = "Events renamed"
    return lambda: connections.do_save_connection(w.organization, w.connection, ["name"], created=False, actor=w.admin)


def _new_organization_with_new_admin(w: World) -> Callable[[], Any]:
    user = get_user_model()(username="first-admin")
    user.set_password("a-long-enough-password")
    organization = Organization(slug="initech", name="Initech")
    return lambda: organizations.do_create_organization(organization, admin=user, actor=OPERATOR)


def _edited_organization(w: World) -> Callable[[], Any]:
    w.organization.name, w.organization.api_key_policy = "Acme Inc.", Organization.APIKeyPolicy.DISABLED
    changes = {"name": ("Acme", "Acme Inc."), "api_key_policy": ("enabled", "disabled")}
    return lambda: organizations.do_edit_organization(w.organization, changes, actor=w.admin, via="Django admin")


def _child_deleted(w: World) -> Callable[[], Any]:
    child = Organization.objects.get(slug="acme-east")
    return lambda: organizations.do_delete_organization(child, actor=w.admin)


def _new_member(w: World) -> Callable[[], Any]:
    user = get_user_model().objects.create_user("newcomer", "n@example.com", "pw-123-newcomer")
    return lambda: organizations.do_add_member(
        w.organization, Membership(user=user, role=Membership.Role.MEMBER), actor=w.admin
    )


def _promoted_member(w: World) -> Callable[[], Any]:
    w.membership.role = Membership.Role.ADMIN
    return lambda: organizations.do_change_member(w.organization, w.membership, ["role"], actor=w.admin)


def _secrets_under_an_old_key(w: World) -> Callable[[], Any]:
    current = list(w.settings.CREDHUB_ENCRYPTION_KEYS)
    w.settings.CREDHUB_ENCRYPTION_KEYS = [OLD_KEY]
    make_credential(w.organization, "Old", secrets={"username": "u", "password": "under-the-old-key"})
    w.settings.CREDHUB_ENCRYPTION_KEYS = [NEW_KEY, *current, OLD_KEY]
    return lambda: encryption.do_rotate_encryption_key(batch_size=2, progress=None, actor=OPERATOR)


CASES = [
    # Access keys
    Case(
        access_keys.do_create_access_key,
        lambda w: lambda: access_keys.do_create_access_key(w.organization, "CI", None, actor=w.admin),
        ("access_key.created",),
    ),
    Case(
        access_keys.do_create_system_access_key,
        lambda w: lambda: access_keys.do_create_system_access_key(w.organization, "Sync", "member", 30, actor=OPERATOR),
        ("access_key.created",),
    ),
    Case(
        access_keys.do_rename_access_key,
        lambda w: lambda: access_keys.do_rename_access_key(w.organization, w.access_key, "Renamed", actor=w.admin),
        ("access_key.renamed",),
    ),
    Case(access_keys.do_edit_access_key, _edited_access_key, ("access_key.edited",)),
    Case(
        access_keys.do_delete_access_key,
        lambda w: lambda: access_keys.do_delete_access_key(w.organization, w.access_key, actor=w.admin),
        ("access_key.deleted",),
    ),
    Case(
        access_keys.do_revoke_access_key,
        lambda w: lambda: access_keys.do_revoke_access_key(w.organization, w.access_key, actor=OPERATOR),
        ("access_key.revoked",),
    ),
    Case(
        access_keys.do_expire_access_key,
        lambda w: lambda: access_keys.do_expire_access_key(w.organization, w.access_key, actor=OPERATOR),
        ("access_key.expired",),
    ),
    Case(
        access_keys.do_deactivate_access_key,
        lambda w: lambda: access_keys.do_deactivate_access_key(w.organization, w.access_key, actor=w.admin),
        ("access_key.deactivated",),
    ),
    Case(
        access_keys.do_reactivate_access_key,
        _inactive_access_key,
        ("access_key.reactivated",),
    ),
    Case(
        access_keys.do_roll_access_key,
        lambda w: (
            lambda: access_keys.do_roll_access_key(w.organization, w.access_key, timedelta(hours=1), actor=w.admin)
        ),
        ("access_key.rolled",),
    ),
    Case(
        access_keys.do_set_credential_permissions,
        lambda w: (
            lambda: access_keys.do_set_credential_permissions(
                w.organization, w.access_key, "selected", [w.credential, w.spare_credential], actor=w.admin
            )
        ),
        ("access_key.permissions_changed",),
    ),
    Case(
        access_keys.do_set_allowed_addresses,
        lambda w: (
            lambda: access_keys.do_set_allowed_addresses(
                w.organization, w.access_key, ["203.0.113.0/24", "2001:db8::/32"], actor=w.admin
            )
        ),
        ("access_key.addresses_changed",),
    ),
    Case(expiry_notices.do_send_expiry_notice, _access_key_expiring, ("access_key.expiring",)),
    # API keys
    Case(
        api_keys.do_generate_api_key,
        lambda w: lambda: api_keys.do_generate_api_key(w.organization, "Zapier 2", actor=w.admin),
        ("api_key.created",),
    ),
    Case(
        api_keys.do_regenerate_api_key,
        lambda w: lambda: api_keys.do_regenerate_api_key(w.organization, w.api_key, actor=w.admin),
        ("api_key.regenerated",),
    ),
    Case(
        api_keys.do_rename_api_key,
        lambda w: lambda: api_keys.do_rename_api_key(w.organization, w.api_key, "Make", actor=w.admin),
        ("api_key.renamed",),
    ),
    Case(
        api_keys.do_delete_api_key,
        lambda w: lambda: api_keys.do_delete_api_key(w.organization, w.api_key, actor=w.admin),
        ("api_key.deleted",),
    ),
    Case(
        api_keys.do_deactivate_api_key,
        lambda w: lambda: api_keys.do_deactivate_api_key(w.organization, w.api_key, actor=w.admin),
        ("api_key.deactivated",),
    ),
    Case(api_keys.do_reactivate_api_key, _inactive_api_key, ("api_key.reactivated",)),
    # Connections
    Case(
        connections.do_create_connection,
        lambda w: (
            lambda: connections.do_create_connection(
                w.organization, "source", "kissmetrics", "Signups", w.credential, actor=w.admin
            )
        ),
        ("connection.created",),
    ),
    Case(
        connections.do_reauthenticate_connection,
        lambda w: (
            lambda: connections.do_reauthenticate_connection(
                w.organization, w.connection, w.spare_credential, actor=w.admin
            )
        ),
        ("connection.reauthenticated",),
    ),
    Case(
        connections.do_change_connection_credential,
        lambda w: (
            lambda: connections.do_change_connection_credential(
                w.organization, w.connection, w.spare_credential, actor=w.admin
            )
        ),
        ("connection.credential_changed",),
    ),
    Case(
        connections.do_rename_connection,
        lambda w: lambda: connections.do_rename_connection(w.organization, w.connection, "Web events", actor=w.admin),
        ("connection.renamed",),
    ),
    Case(connections.do_save_connection, _new_connection_from_admin, ("connection.created",)),
    Case(connections.do_save_connection, _edited_connection_from_admin, ("connection.edited",)),
    Case(
        connections.do_delete_connection,
        lambda w: lambda: connections.do_delete_connection(w.organization, w.connection, actor=w.admin),
        ("connection.deleted",),
    ),
    # Organizations
    Case(organizations.do_create_organization, _new_organization_with_new_admin, ("organization.created",)),
    Case(
        organizations.do_edit_organization,
        _edited_organization,
        ("organization.policy_changed", "organization.edited"),
    ),
    Case(organizations.do_delete_organization, _child_deleted, ("organization.deleted",)),
    Case(organizations.do_add_member, _new_member, ("membership.created",)),
    Case(organizations.do_change_member, _promoted_member, ("membership.edited",)),
    Case(
        organizations.do_remove_member,
        lambda w: lambda: organizations.do_remove_member(w.organization, w.membership, actor=w.admin),
        ("membership.deleted",),
    ),
    Case(
        organizations.do_reveal_debug_session_key,
        lambda w: lambda: organizations.do_reveal_debug_session_key(w.organization, actor=w.admin),
        ("debug_session_key.revealed",),
    ),
    Case(
        organizations.do_regenerate_debug_session_key,
        lambda w: lambda: organizations.do_regenerate_debug_session_key(w.organization, actor=w.admin),
        ("debug_session_key.regenerated",),
    ),
    Case(
        organizations.do_change_expiry_policy,
        lambda w: lambda: organizations.do_change_expiry_policy(w.organization, [30, 90], True, None, actor=w.admin),
        ("access_key_policy.changed",),
    ),
    # Encryption
    Case(encryption.do_rotate_encryption_key, _secrets_under_an_old_key, ("encryption.rotated",), reencrypts=True),
]


@pytest.fixture
def world(organization, admin_user, member_user, settings) -> World:
    return World(organization, admin_user, member_user, settings)


def _plain(value: Any, reencrypts: bool) -> Any:
    if isinstance(value, Sealed):
        return value.reveal() if reencrypts else value.token
    return value


def database(reencrypts: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Every row of every credhub model and of the users, field by field."""
    models = [*apps.get_app_config("credentials").get_models(), get_user_model()]
    return {
        model.__name__: [
            {name: _plain(value, reencrypts) for name, value in row.items()}
            for row in model.objects.order_by("pk").values()
        ]
        for model in models
    }


@pytest.fixture
def audit_write_fails(monkeypatch):
    def create(*args: Any, **kwargs: Any) -> AuditEvent:
        raise DatabaseError("the audit log's table went away")

    monkeypatch.setattr(AuditEvent.objects, "create", create)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_a_failed_audit_write_leaves_the_database_as_it_was(world, case: Case, audit_write_fails) -> None:
    call = case.arrange(world)
    before = database(case.reencrypts)
    with pytest.raises(DatabaseError):
        call()
    assert database(case.reencrypts) == before


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_the_action_records_exactly_its_events(world, case: Case) -> None:
    call = case.arrange(world)
    before = database(case.reencrypts)
    call()
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == sorted(case.events)
    assert database(case.reencrypts) != before  # it did change something (a reveal changes the log only)


def test_every_action_has_a_case() -> None:
    actions = {
        function
        for module in ACTION_MODULES
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("do_") and function.__module__ == module.__name__
    }
    assert actions == {case.action for case in CASES}


# Through the screens: a failed audit write is an error page, and nothing is left behind -----------


def test_access_key_create_answers_500_and_stores_no_key_when_the_audit_write_fails(
    admin_user, organization, audit_write_fails
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    url = reverse("access_key_create", args=[organization.slug])
    response = client.post(url, {"name": "CI", "expiry": default_expiry(organization)})
    assert response.status_code == 500
    assert not AccessKey.objects.exists() and not AuditEvent.objects.exists()


def test_revoking_a_key_from_the_admin_revokes_nothing_when_the_audit_write_fails(
    organization, audit_write_fails, django_user_model
) -> None:
    operator = django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123")
    access_key, _ = make_system_key(organization)
    make_connection(organization, access_key=access_key)
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    response = client.post(
        reverse("admin:credentials_accesskey_changelist"),
        {"action": "revoke_selected_keys", "_selected_action": [str(access_key.pk)]},
    )
    assert response.status_code == 500
    access_key.refresh_from_db()
    assert access_key.revoked_at is None
    assert Connection.objects.get().status == Connection.Status.ACTIVE


def test_an_api_key_is_not_regenerated_when_the_audit_write_fails(admin_user, organization, audit_write_fails) -> None:
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.post(reverse("api_key_regenerate", args=[organization.slug, api_key.pk]))
    assert response.status_code == 500
    assert APIKey.objects.get().secret_hash == api_key.secret_hash


def test_an_expired_key_stays_as_it_was_when_the_audit_write_fails(organization, audit_write_fails) -> None:
    access_key, _ = make_system_key(organization)
    past = timezone.now() - timedelta(days=1)
    AccessKey.objects.filter(pk=access_key.pk).update(expires_at=past)
    access_key.refresh_from_db()
    with pytest.raises(DatabaseError):
        access_keys.do_expire_access_key(organization, access_key, actor=OPERATOR)
    assert AccessKey.objects.get().expires_at == past
