"""Credential permissions where operators set them: the Django admin (through the action, only the key's
organization's credentials) and ``create_system_key --use-credential / --use-all-credentials``."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from credentials.models import AccessKey, AuditEvent
from tests.clients import assert_no_key_in
from tests.factories import make_credential, make_system_key


@pytest.fixture
def operator_client(django_user_model) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123"))
    return client


@pytest.fixture
def billing(organization):
    return make_credential(organization, "Billing API")


@pytest.fixture
def crm(organization):
    return make_credential(organization, "CRM")


def _change(access_key, **fields) -> dict:
    return {"name": access_key.name, "role": access_key.role, "credential_access": "none", **fields}


def test_the_admin_offers_only_the_keys_organizations_credentials(
    operator_client, organization, other_organization, billing
) -> None:
    access_key, secret = make_system_key(organization)
    theirs = make_credential(other_organization, "Globex billing")
    url = reverse("admin:credentials_accesskey_change", args=[access_key.pk])
    html = operator_client.get(url).content.decode()
    assert "Credential permissions" in html and "Billing API" in html
    assert "Globex billing" not in html
    assert secret not in html and access_key.secret_hash not in html
    assert_no_key_in(html)
    refused = operator_client.post(
        url, _change(access_key, credential_access="selected", permitted_credentials=[str(theirs.pk)])
    )
    assert refused.status_code == 200 and "Select a valid choice" in refused.content.decode()
    nothing = operator_client.post(url, _change(access_key, credential_access="selected"))
    assert "Select at least one credential" in nothing.content.decode()
    assert not AccessKey.objects.get(pk=access_key.pk).permitted_credentials.exists()
    assert not AuditEvent.objects.exists()


def test_the_admin_changes_permissions_through_the_audited_action(operator_client, organization, billing, crm):
    access_key, _ = make_system_key(organization)
    url = reverse("admin:credentials_accesskey_change", args=[access_key.pk])
    body = _change(access_key, credential_access="selected", permitted_credentials=[str(billing.pk), str(crm.pk)])
    assert operator_client.post(url, body).status_code == 302
    access_key = AccessKey.objects.get(pk=access_key.pk)
    assert access_key.credential_access == "selected" and access_key.may_use(crm.pk)
    event = AuditEvent.objects.get()
    assert event.action == "access_key.permissions_changed" and event.details["via"] == "Django admin"
    # A rename alone records the rename only.
    assert operator_client.post(url, {**body, "name": "Renamed"}).status_code == 302
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == [
        "access_key.edited",
        "access_key.permissions_changed",
    ]


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_system_key_uses_the_credentials_named(organization, billing, crm) -> None:
    uses = ["--use-credential", "CRM", "--use-credential", "Billing API"]
    out, _ = run("create_system_key", "acme", "--name", "Sync", *uses, "--json")
    data = json.loads(out)
    assert data["credential_access"] == "selected" and data["permitted_credentials"] == ["Billing API", "CRM"]
    access_key = AccessKey.objects.get(key_id=data["key_id"])
    assert access_key.may_use(billing.pk) and access_key.may_use(crm.pk)
    assert AuditEvent.objects.get().details["credential_access"] == "selected"
    run("create_system_key", "acme", "--name", "Everything", "--use-all-credentials")
    assert AccessKey.objects.get(name="Everything").credential_access == "all"
    run("create_system_key", "acme", "--name", "Nothing")
    assert AccessKey.objects.get(name="Nothing").credential_access == "none"


def test_create_system_key_refuses_unknown_credentials_and_both_options(organization, other_organization, billing):
    make_credential(other_organization, "Globex billing")
    for args in (
        ["--use-credential", "Globex billing"],
        ["--use-credential", "Billing API", "--use-credential", "Nope"],
        ["--use-credential", "Billing API", "--use-all-credentials"],
    ):
        with pytest.raises(CommandError) as refused:
            run("create_system_key", "acme", "--name", "Sync", *args)
        assert refused.value.returncode == 2
    assert "No credential named “Nope”" in str(refused_message(organization))
    assert not AccessKey.objects.exists()


def refused_message(organization) -> str:
    with pytest.raises(CommandError) as refused:
        run("create_system_key", "acme", "--name", "Sync", "--use-credential", "Nope")
    return str(refused.value)
