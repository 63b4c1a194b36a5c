"""Credential permissions on Settings > API authentication: the choice in Create access key, a key's More
options › Permissions, the row's summary; for admins only, and only with API credentials turned on."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credentials.forms.access_keys import default_expiry
from credentials.models import AccessKey, AuditEvent
from tests.clients import HTMX
from tests.factories import make_credential, make_system_key
from tests.html import by_id, field_errors, text


@pytest.fixture
def billing(organization):
    return make_credential(organization, "Billing API")


@pytest.fixture
def crm(organization):
    return make_credential(organization, "CRM")


def _create(client, organization, **fields):
    data = {"name": "CI", "expiry": default_expiry(organization), **fields}
    return client.post(reverse("access_key_create", args=[organization.slug]), data)


def _permissions_url(organization, access_key) -> str:
    return reverse("access_key_permissions", args=[organization.slug, access_key.pk])


def test_create_access_key_offers_the_three_choices_and_the_credentials(admin_client, organization, billing, crm):
    html = admin_client.get(reverse("access_key_create", args=[organization.slug])).content.decode()
    for value, label in [("none", "Use no credentials"), ("all", "Use all credentials"), ("selected", "Use selected")]:
        radio = by_id(html, f"id_access_key_credential_access_{value}")
        assert radio is not None and label in html
    assert "checked" in dict(by_id(html, "id_access_key_credential_access_none").attributes)
    checklist = text(by_id(html, "id_access_key_permitted_credentials"))
    assert "Billing API" in checklist and "CRM" in checklist


def test_a_key_created_with_selected_credentials_may_use_only_those(admin_client, organization, billing, crm):
    response = _create(
        admin_client, organization, credential_access="selected", permitted_credentials=[str(billing.pk)]
    )
    assert response.status_code == 200
    access_key = AccessKey.objects.get(name="CI")
    assert access_key.may_use(billing.pk) and not access_key.may_use(crm.pk)
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Uses 1 credential" in text(by_id(page, f"access-key-{access_key.pk}"))


def test_selected_with_nothing_ticked_is_refused_next_to_the_list_and_keeps_what_was_typed(
    admin_client, organization, billing
):
    response = _create(admin_client, organization, name="Nightly export", credential_access="selected")
    assert response.status_code == 422
    html = response.content.decode()
    checklist = by_id(html, "id_access_key_permitted_credentials")
    assert dict(checklist.attributes)["aria-describedby"] == "id_access_key_permitted_credentials-error"
    assert "Select at least one credential" in text(by_id(html, "id_access_key_permitted_credentials-error"))
    assert 'value="Nightly export"' in html
    assert "checked" in dict(by_id(html, "id_access_key_credential_access_selected").attributes)
    assert not AccessKey.objects.exists()


def test_another_organizations_credential_is_never_accepted(admin_client, organization, other_organization, billing):
    theirs = make_credential(other_organization, "Globex billing")
    response = _create(admin_client, organization, credential_access="selected", permitted_credentials=[str(theirs.pk)])
    assert response.status_code == 422
    assert field_errors(response.content.decode(), "id_access_key_name") == []
    assert "Choose credentials of this organization" in response.content.decode()
    assert "Globex" not in response.content.decode()
    assert not AccessKey.objects.exists()


def test_without_api_credentials_the_choice_is_not_offered(admin_client, organization, billing):
    organization.api_credentials_enabled = False
    organization.save(update_fields=["api_credentials_enabled"])
    html = admin_client.get(reverse("access_key_create", args=[organization.slug])).content.decode()
    assert "Credential permissions" not in html
    _create(admin_client, organization, credential_access="all")
    access_key = AccessKey.objects.get()
    assert access_key.credential_access == "none"
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Permissions" not in page and "Uses no credentials" not in page
    assert admin_client.get(_permissions_url(organization, access_key)).status_code == 404


def test_more_options_permissions_changes_the_permission_and_audits_it(admin_client, organization, billing, crm):
    access_key, _ = make_system_key(organization)
    page = admin_client.get(reverse("api_authentication", args=[organization.slug]) + "?system=1").content.decode()
    assert _permissions_url(organization, access_key) in page
    assert "Uses no credentials" in text(by_id(page, f"access-key-{access_key.pk}"))
    dialog = admin_client.get(_permissions_url(organization, access_key), **HTMX).content.decode()
    assert "Permissions of “Warehouse sync”" in dialog
    response = admin_client.post(
        _permissions_url(organization, access_key),
        {"credential_access": "selected", "permitted_credentials": [str(billing.pk), str(crm.pk)]},
        **HTMX,
    )
    assert response.status_code == 200
    assert "Access key “Warehouse sync”: uses 2 credentials." in response.content.decode()
    assert response.headers["HX-Retarget"] == "#access-keys"
    access_key.refresh_from_db()
    assert access_key.may_use(crm.pk)
    event = AuditEvent.objects.get(action="access_key.permissions_changed")
    assert event.actor == "acme-admin"
    # Without JavaScript: the dialog is a page, and saving redirects back.
    plain = admin_client.post(_permissions_url(organization, access_key), {"credential_access": "all"})
    assert plain.status_code == 302
    assert AccessKey.objects.get().credential_access == "all"


def test_the_dialog_shows_the_current_permission(admin_client, organization, billing, crm, admin_user):
    access_key, _ = make_system_key(organization)
    access_key.credential_access = "selected"
    access_key.save()
    access_key.permitted_credentials.set([crm])
    html = admin_client.get(_permissions_url(organization, access_key)).content.decode()
    list_id = f"id_permissions_{access_key.pk}_permitted_credentials"
    assert "checked" in dict(by_id(html, f"id_permissions_{access_key.pk}_credential_access_selected").attributes)
    ticked = [dict(by_id(html, f"{list_id}_{n}").attributes) for n in range(2)]
    assert [("checked" in box, box["value"]) for box in ticked] == [(False, str(billing.pk)), (True, str(crm.pk))]


def test_members_and_outsiders_cannot_change_permissions(member_client, outsider_client, organization, billing):
    access_key, _ = make_system_key(organization)
    url = _permissions_url(organization, access_key)
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"credential_access": "all"}).status_code == 403
    assert outsider_client.post(url, {"credential_access": "all"}).status_code == 404
    assert AccessKey.objects.get().credential_access == "none"


def test_another_organizations_key_is_not_found(outsider_client, other_organization, organization):
    access_key, _ = make_system_key(organization)
    url = reverse("access_key_permissions", args=[other_organization.slug, access_key.pk])
    assert outsider_client.post(url, {"credential_access": "all"}).status_code == 404
