"""Every credential action writes together with its audit event: when the audit write fails, nothing changed.

The failure is real: a database trigger refuses every insert into the audit table, so each action's
own transaction sees the error exactly as it would if the database refused the write.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test import Client
from django.urls import reverse

from credentials.actions.credentials import (
    do_delete_credential,
    do_edit_credential_details,
    do_rename_credential,
    do_test_credential,
)
from credentials.models import AuditEvent, Connection, Credential, OrganizationCredential
from tests.conftest import PASSWORD
from tests.formsets import organizations

pytestmark = pytest.mark.django_db(transaction=True)


def _database(organization) -> dict:
    """Everything a credential action may touch, as plain values."""
    return {
        "credentials": sorted(
            Credential.objects.filter(organization=organization).values_list(
                "id", "name", "description", "base_url", "auth_type", "auth_settings", "last_used_at", "updated_at"
            )
        ),
        "secrets": sorted(
            str(c.secrets.reveal() if c.secrets else None) for c in Credential.objects.filter(organization=organization)
        ),
        "organization_rows": OrganizationCredential.objects.count(),
        "connections": sorted(Connection.objects.values_list("name", "status")),
        "audit": AuditEvent.objects.count(),
    }


# A real trigger in the database refuses every audit insert, on SQLite and on PostgreSQL alike.
CREATE_TRIGGER = {
    "sqlite": [
        "CREATE TRIGGER audit_fails BEFORE INSERT ON credentials_auditevent "
        "BEGIN SELECT RAISE(ABORT, 'the audit log refused the write'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION audit_fails() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit log refused the write'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_fails BEFORE INSERT ON credentials_auditevent "
        "FOR EACH ROW EXECUTE FUNCTION audit_fails()",
    ],
}
DROP_TRIGGER = {
    "sqlite": ["DROP TRIGGER audit_fails"],
    "postgresql": ["DROP TRIGGER audit_fails ON credentials_auditevent", "DROP FUNCTION audit_fails()"],
}


@pytest.fixture
def audit_fails(transactional_db):
    with connection.cursor() as cursor:
        for statement in CREATE_TRIGGER[connection.vendor]:
            cursor.execute(statement)
    yield
    with connection.cursor() as cursor:
        for statement in DROP_TRIGGER[connection.vendor]:
            cursor.execute(statement)


@pytest.fixture
def browser(admin_user) -> Client:
    client = Client(raise_request_exception=False)
    assert client.login(username=admin_user.username, password=PASSWORD)
    return client


@pytest.fixture
def credential(organization, admin_user, httpserver) -> Credential:
    httpserver.expect_request("/api").respond_with_data("ok")
    return Credential.objects.create(
        organization=organization,
        name="Billing API",
        base_url=httpserver.url_for("/api"),
        auth_type="basic",
        secrets={"username": "billing-user", "password": "s3cret-basic-password"},
        created_by=admin_user,
    )


def _form(**overrides) -> dict:
    return {
        "name": "Invoices",
        "base_url": "https://invoices.example.com",
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "user",
        "auth_password": "pw",
        "_action": "save",
        **overrides,
    }


def test_create_leaves_nothing_when_the_audit_write_fails(browser, organization, audit_fails) -> None:
    before = _database(organization)
    response = browser.post(reverse("credential_create", args=[organization.slug]), _form())
    assert response.status_code == 500
    assert _database(organization) == before
    assert not Credential.objects.filter(name="Invoices").exists()


def test_create_with_organization_rows_leaves_nothing(browser, organization, audit_fails) -> None:
    data = _form(
        org_specific="on", **organizations({"organization": "acme-east", "username": "east", "password": "pw"})
    )
    response = browser.post(reverse("credential_create", args=[organization.slug]), data)
    assert response.status_code == 500
    assert not Credential.objects.exists() and not OrganizationCredential.objects.exists()


def test_edit_leaves_nothing_when_the_audit_write_fails(browser, organization, credential, audit_fails) -> None:
    before = _database(organization)
    data = _form(name="Renamed by edit", base_url=credential.base_url, auth_username="", auth_password="new-pw")
    response = browser.post(reverse("credential_edit", args=[organization.slug, credential.pk]), data)
    assert response.status_code == 500
    assert _database(organization) == before


def test_rename_leaves_nothing_when_the_audit_write_fails(organization, credential, admin_user, audit_fails) -> None:
    before = _database(organization)
    with pytest.raises(DatabaseError):
        do_rename_credential(credential, "Other name", actor=admin_user)
    assert _database(organization) == before
    assert credential.name == "Billing API"  # the object in hand is not left renamed either


def test_delete_leaves_the_credential_and_its_connections(organization, credential, admin_user, audit_fails) -> None:
    Connection.objects.create(
        organization=organization, kind="source", connector="http_api", name="Orders", credential=credential
    )
    before = _database(organization)
    with pytest.raises(DatabaseError):
        do_delete_credential(credential, actor=admin_user)
    assert _database(organization) == before
    assert Connection.objects.get().status == Connection.Status.ACTIVE


@pytest.mark.usefixtures("audit_fails")
def test_test_connection_records_no_last_used_without_its_audit_event(organization, credential, admin_user) -> None:
    before = _database(organization)
    with pytest.raises(DatabaseError):
        do_test_credential(credential, actor=admin_user)
    assert _database(organization) == before
    with pytest.raises(DatabaseError):
        call_command("test_credential", organization.slug, str(credential.pk))
    assert _database(organization) == before


def test_admin_edit_leaves_nothing(organization, credential, admin_user, audit_fails) -> None:
    before = _database(organization)
    credential.description = "Changed in the admin"
    with pytest.raises(DatabaseError):
        do_edit_credential_details(credential, ["description"], actor=admin_user, via="admin")
    assert _database(organization) == before


def test_each_action_records_exactly_one_event(organization, credential, admin_user) -> None:
    """With the audit log working, each action leaves its one event (and only one)."""
    do_test_credential(credential, actor=admin_user)
    do_rename_credential(credential, "Other name", actor=admin_user)
    with pytest.raises(CommandError):  # bad arguments: nothing is tested, nothing recorded
        call_command("test_credential", organization.slug, str(credential.pk), "--organization", "nope")
    do_delete_credential(credential, actor=admin_user)
    actions = list(AuditEvent.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions == ["credential.tested", "credential.renamed", "credential.deleted"]
