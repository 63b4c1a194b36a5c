"""The JSON API's access keys: read by every key, created and changed by admin keys, with the credentials
each key may use; another organization's keys and credentials are never found or accepted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials import keys
from credentials.models import AccessKey, AuditEvent
from tests.clients import api, assert_no_key_in
from tests.factories import make_credential, make_system_key


@pytest.fixture
def billing(organization):
    return make_credential(organization, "Billing API")


@pytest.fixture
def crm(organization):
    return make_credential(organization, "CRM")


def test_an_admin_key_creates_a_key_permitted_selected_credentials(admin_key, organization, billing, crm) -> None:
    body = {"name": "Warehouse sync", "credential_access": "selected", "permitted_credentials": [str(billing.pk)]}
    response = api("post", "access-keys", admin_key, body)
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["credential_access"] == "selected"
    assert created["permitted_credentials"] == [str(billing.pk)]
    assert created["system_generated"] is True and created["owner"] is None and created["role"] == "member"
    access_key = AccessKey.objects.get(key_id=created["key_id"])
    assert access_key.may_use(billing.pk) and not access_key.may_use(crm.pk)
    # The secret authenticates, and is never answered again.
    new_key = (access_key, created["secret"])
    read = api("get", f"access-keys/{created['key_id']}", new_key)
    assert read.status_code == 200 and "secret" not in read.json()
    assert_no_key_in(read.content.decode())
    assert read.json()["permitted_credentials"] == [str(billing.pk)]
    event = AuditEvent.objects.get(action="access_key.created")
    assert event.actor == f"access key {admin_key[0].key_id}"
    assert event.details["credential_access"] == "selected"


def test_a_new_key_uses_no_credentials_unless_asked(admin_key, billing) -> None:
    created = api("post", "access-keys", admin_key, {"name": "Plain"}).json()
    assert created["credential_access"] == "none" and created["permitted_credentials"] == []


def test_patch_changes_the_permission_and_keeps_what_is_left_out(admin_key, organization, billing, crm) -> None:
    access_key, _ = make_system_key(organization)
    path = f"access-keys/{access_key.key_id}"
    changed = api("patch", path, admin_key, {"credential_access": "selected", "permitted_credentials": [str(crm.pk)]})
    assert changed.status_code == 200, changed.content
    assert changed.json()["permitted_credentials"] == [str(crm.pk)]
    renamed = api("patch", path, admin_key, {"name": "Warehouse nightly"}).json()
    assert renamed["name"] == "Warehouse nightly" and renamed["permitted_credentials"] == [str(crm.pk)]
    # The list alone, while "selected": the new list.
    both = api("patch", path, admin_key, {"permitted_credentials": [str(crm.pk), str(billing.pk)]}).json()
    assert sorted(both["permitted_credentials"]) == sorted([str(crm.pk), str(billing.pk)])
    everything = api("patch", path, admin_key, {"credential_access": "all"}).json()
    assert everything["credential_access"] == "all" and everything["permitted_credentials"] == []
    assert AuditEvent.objects.filter(action="access_key.permissions_changed").count() == 3


def test_refusals_name_the_field_in_the_error_form(admin_key, organization, other_organization, billing) -> None:
    access_key, _ = make_system_key(organization)
    theirs = make_credential(other_organization, "Globex billing")
    path = f"access-keys/{access_key.key_id}"
    cases = [
        ({"credential_access": "selected", "permitted_credentials": [str(theirs.pk)]}, "permitted_credentials"),
        ({"credential_access": "selected", "permitted_credentials": []}, "permitted_credentials"),
        ({"credential_access": "all", "permitted_credentials": [str(billing.pk)]}, "permitted_credentials"),
        ({"credential_access": "some"}, "credential_access"),
        ({"name": "   "}, "name"),
    ]
    for body, field in cases:
        response = api("patch", path, admin_key, body)
        assert response.status_code == 400, body
        answer = response.json()
        assert answer["error"] == "Bad Request" and list(answer["errors"]) == [field], answer
        assert "Globex" not in response.content.decode()
    access_key.refresh_from_db()
    assert access_key.credential_access == "none" and access_key.name == "Warehouse sync"
    assert not AuditEvent.objects.exists()


def test_an_expiry_outside_the_policy_is_refused(admin_key, organization) -> None:
    organization.access_key_expiry_periods = [30, 90]
    organization.access_key_allow_no_expiry = False
    organization.save()
    refused = api("post", "access-keys", admin_key, {"name": "Sync", "expires_in_days": 7})
    assert refused.status_code == 400 and "30, 90" in refused.json()["errors"]["expires_in_days"][0]
    assert api("post", "access-keys", admin_key, {"name": "Sync", "expires_in_days": None}).status_code == 400
    made = api("post", "access-keys", admin_key, {"name": "Sync", "expires_in_days": 90})
    assert made.status_code == 201 and made.json()["expires_at"] is not None


def test_member_keys_read_permissions_but_cannot_change_them(member_key, organization, billing) -> None:
    access_key, _ = make_system_key(organization)
    access_key.credential_access = "all"
    access_key.save()
    listed = api("get", "access-keys", member_key)
    assert listed.status_code == 200
    rows = {row["key_id"]: row for row in listed.json()["items"]}
    assert rows[access_key.key_id]["credential_access"] == "all"
    refused = api("patch", f"access-keys/{access_key.key_id}", member_key, {"credential_access": "none"})
    assert refused.status_code == 403 and refused.json()["error"] == "Forbidden"
    assert api("post", "access-keys", member_key, {"name": "Mine"}).status_code == 403
    assert AccessKey.objects.get(pk=access_key.pk).credential_access == "all"


def test_another_organizations_key_is_not_found(admin_key, other_organization) -> None:
    theirs, _ = make_system_key(other_organization)
    for method, body in [("get", None), ("patch", {"credential_access": "all"})]:
        response = api(method, f"access-keys/{theirs.key_id}", admin_key, body)
        assert response.status_code == 404 and response.json()["error"] == "Not Found"
    assert api("get", "access-keys/not-a-key", admin_key).status_code == 404
    listed = api("get", "access-keys", admin_key).json()
    assert theirs.key_id not in {row["key_id"] for row in listed["items"]}
    assert AccessKey.objects.get(pk=theirs.pk).credential_access == "none"


def test_permissions_need_api_credentials_turned_on(admin_key, organization, billing) -> None:
    organization.api_credentials_enabled = False
    organization.save(update_fields=["api_credentials_enabled"])
    refused = api("post", "access-keys", admin_key, {"name": "Sync", "credential_access": "all"})
    assert refused.status_code == 403 and "not turned on" in refused.json()["detail"]
    assert api("post", "access-keys", admin_key, {"name": "Sync"}).status_code == 201


def test_the_list_reads_permissions_in_constant_queries(admin_key, organization, billing, crm) -> None:
    def queries() -> int:
        api("get", "access-keys", admin_key)  # the key's "last used" is written once a minute, not counted
        with CaptureQueriesContext(connection) as captured:
            assert api("get", "access-keys", admin_key).status_code == 200
        return len(captured)

    for n in range(3):
        key, _ = make_system_key(organization, f"key {n}")
        key.credential_access = "selected"
        key.save()
        key.permitted_credentials.set([billing, crm])
    few = queries()
    for n in range(3, 12):
        key, _ = make_system_key(organization, f"key {n}")
        key.credential_access = "selected"
        key.save()
        key.permitted_credentials.set([billing])
    keys.create_access_key(organization, "Owned", owner=admin_key[0].owner)
    assert queries() == few
