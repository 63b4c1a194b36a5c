"""Key permissions for credentials: the rules (only the organization's own credentials), the audited action
with its webhook event, what creating a key takes, and what deleting a credential leaves."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from credentials import credential_permissions
from credentials.actions import access_keys as actions
from credentials.actions import credentials as credential_actions
from credentials.actions import webhooks as webhook_actions
from credentials.models import AccessKey, AuditEvent, WebhookDelivery
from tests.factories import make_credential, make_system_key

SELECTED = AccessKey.CredentialAccess.SELECTED
ALL = AccessKey.CredentialAccess.ALL
NONE = AccessKey.CredentialAccess.NONE


@pytest.fixture
def billing(organization):
    return make_credential(organization, "Billing API")


@pytest.fixture
def crm(organization):
    return make_credential(organization, "CRM")


@pytest.fixture
def elsewhere(other_organization):
    return make_credential(other_organization, "Globex billing")


def test_a_new_key_uses_no_credentials(organization, admin_user, billing) -> None:
    access_key, _ = actions.do_create_access_key(organization, "CI", None, actor=admin_user)
    assert access_key.credential_access == NONE
    assert not access_key.may_use(billing.pk)
    assert AuditEvent.objects.get().details["credential_access"] == "none"


def test_creating_a_key_takes_its_permission(organization, admin_user, billing, crm) -> None:
    access_key, _ = actions.do_create_access_key(
        organization, "CI", None, actor=admin_user, credential_access=SELECTED, permitted_credentials=[billing]
    )
    assert access_key.may_use(billing.pk) and not access_key.may_use(crm.pk)
    details = AuditEvent.objects.get().details
    assert details["permitted_credentials"] == [{"id": str(billing.pk), "name": "Billing API"}]
    system_key, _ = actions.do_create_system_access_key(
        organization, "Sync", "member", None, actor="operator", credential_access=ALL
    )
    assert system_key.may_use(billing.pk) and system_key.may_use(crm.pk)


def test_setting_permissions_is_audited_and_emitted_once(
    organization, admin_user, billing, crm, django_capture_on_commit_callbacks
) -> None:
    webhook_actions.do_create_endpoint(
        organization, name="Ops", url="https://hooks.example.com/in", event_types=[], actor=admin_user
    )
    access_key, _ = make_system_key(organization)
    assert actions.do_set_credential_permissions(organization, access_key, SELECTED, [crm, billing], actor=admin_user)
    assert access_key.may_use(billing.pk) and access_key.may_use(crm.pk)
    event = AuditEvent.objects.get(action="access_key.permissions_changed")
    assert event.details["credential_access"] == "selected"
    assert [row["name"] for row in event.details["permitted_credentials"]] == ["Billing API", "CRM"]
    assert event.details["previous"] == {"credential_access": "none", "permitted_credentials": []}
    delivery = WebhookDelivery.objects.get(event_type="access_key.permissions_changed")
    data = delivery.payload["data"]
    assert data["access_key"]["key_id"] == access_key.key_id
    assert data["credential_access"] == "selected" and data["actor"] == admin_user.username
    # The same choice again changes and records nothing.
    assert not actions.do_set_credential_permissions(
        organization, access_key, SELECTED, [billing, crm], actor=admin_user
    )
    assert AuditEvent.objects.filter(action="access_key.permissions_changed").count() == 1
    # Back to none: the list goes too.
    assert actions.do_set_credential_permissions(organization, access_key, NONE, [], actor=admin_user)
    access_key.refresh_from_db()
    assert access_key.credential_access == NONE and not access_key.permitted_credentials.exists()


def test_the_action_refuses_another_organizations_credential(organization, admin_user, elsewhere) -> None:
    access_key, _ = make_system_key(organization)
    with pytest.raises(ValueError):
        actions.do_set_credential_permissions(organization, access_key, SELECTED, [elsewhere], actor=admin_user)
    with pytest.raises(ValueError):
        actions.do_create_access_key(
            organization, "CI", None, actor=admin_user, credential_access=SELECTED, permitted_credentials=[elsewhere]
        )
    assert not AccessKey.objects.filter(name="CI").exists()
    assert not access_key.permitted_credentials.exists()


def test_the_rules_accept_only_the_organizations_own_credentials(organization, billing, elsewhere) -> None:
    assert credential_permissions.resolve(organization, "selected", [str(billing.pk)]) == [billing]
    assert credential_permissions.resolve(organization, "all", [str(billing.pk)]) == []
    for ids in ([str(elsewhere.pk)], [str(billing.pk), str(elsewhere.pk)], ["not-an-id"]):
        with pytest.raises(ValidationError) as refused:
            credential_permissions.resolve(organization, "selected", ids)
        assert "Choose credentials of this organization" in refused.value.messages[0]
        assert "Globex" not in refused.value.messages[0]
    with pytest.raises(ValidationError, match="Select at least one credential"):
        credential_permissions.resolve(organization, "selected", [])
    with pytest.raises(ValidationError, match="Use no credentials"):
        credential_permissions.resolve(organization, "some", [])


def test_deleting_a_credential_drops_it_from_the_keys_that_were_permitted_it(
    organization, admin_user, billing, crm
) -> None:
    access_key, _ = make_system_key(organization)
    actions.do_set_credential_permissions(organization, access_key, SELECTED, [billing, crm], actor=admin_user)
    credential_actions.do_delete_credential(billing, actor=admin_user)
    access_key = AccessKey.objects.get(pk=access_key.pk)
    assert not access_key.may_use(billing.pk)
    assert access_key.may_use(crm.pk)
    assert credential_permissions.summary(access_key) == "Uses 1 credential"
    credential_actions.do_delete_credential(crm, actor=admin_user)
    assert credential_permissions.summary(access_key) == "Uses no credentials (its selected credentials were deleted)"
    assert access_key.credential_access == SELECTED and not access_key.may_use(crm.pk)


def test_the_summary_counts_a_page_of_keys_in_one_query(
    organization, admin_user, billing, crm, django_assert_num_queries
) -> None:
    keys = [make_system_key(organization, f"key {n}")[0] for n in range(5)]
    for access_key in keys[:3]:
        actions.do_set_credential_permissions(organization, access_key, SELECTED, [billing, crm], actor=admin_user)
    actions.do_set_credential_permissions(organization, keys[3], ALL, [], actor=admin_user)
    fresh = list(AccessKey.objects.filter(pk__in=[key.pk for key in keys]).order_by("name"))
    with django_assert_num_queries(1):
        credential_permissions.attach_counts(fresh)
        summaries = [credential_permissions.summary(access_key) for access_key in fresh]
    assert summaries == ["Uses 2 credentials"] * 3 + ["Uses all credentials", "Uses no credentials"]
