"""The Credentials tab's walls: secrets stay encrypted and unseen, roles and tenancy hold, CSRF stays on."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from credentials.forms.credentials import STORED_SECRET_UNREADABLE
from credentials.models import Credential, Organization, OrganizationCredential
from tests import html
from tests.formsets import organizations, secret_headers

HTMX = {"HTTP_HX_REQUEST": "true"}
SECRETS = ("pw-secret-typed", "east-header-secret", "west-header-secret", "bill-user-name")


def credential_urls(organization: Organization, credential: Credential) -> list[str]:
    base = [organization.slug]
    return [
        reverse("credential_list", args=base),
        reverse("credential_create", args=base),
        reverse("credential_tile", args=[*base, credential.pk]),
        reverse("credential_edit", args=[*base, credential.pk]),
        reverse("credential_rename", args=[*base, credential.pk]),
        reverse("credential_delete", args=[*base, credential.pk]),
    ]


def object_urls(organization: Organization, credential: Credential) -> list[str]:
    return credential_urls(organization, credential)[2:]


def snapshot(organization: Organization) -> list[tuple]:
    return list(
        Credential.objects.filter(organization__in=Organization.objects.all())
        .order_by("id")
        .values_list("id", "name", "description", "secrets", "updated_at")
    ) + list(OrganizationCredential.objects.order_by("id").values_list("id", "secrets"))


def save_form(**overrides) -> dict:
    data = {
        "name": "Billing",
        "base_url": "https://billing.example.com",
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "bill-user-name",
        "auth_password": "pw-secret-typed",
        "_action": "save",
    }
    data.update(overrides)
    return data


@pytest.fixture
def saved(admin_client, organization) -> tuple[Credential, Credential]:
    """A Basic credential and an org-specific Headers credential, saved through the overlay."""
    create = reverse("credential_create", args=[organization.slug])
    assert admin_client.post(create, save_form(), **HTMX).status_code == 200
    regional = save_form(
        name="Regional",
        auth_type="headers",
        **secret_headers(("X-Api-Key", "")),
        org_specific="on",
        **organizations(
            {"organization": "acme-east", "value_0": "east-header-secret"},
            {"organization": "acme-west", "value_0": "west-header-secret"},
        ),
    )
    response = admin_client.post(create, regional, **HTMX)
    assert "credhub:close-dialog" in response.headers.get("HX-Trigger", ""), response.content.decode()[:2000]
    return Credential.objects.get(name="Billing"), Credential.objects.get(name="Regional")


def test_raw_database_rows_hold_no_plaintext_secret(saved) -> None:
    basic, regional = saved
    assert basic.secrets.reveal()["password"] == "pw-secret-typed"
    assert {row.secrets.reveal()["X-Api-Key"] for row in regional.organization_credentials.all()} == {
        "east-header-secret",
        "west-header-secret",
    }
    dumped = []
    for model in (Credential, OrganizationCredential):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {model._meta.db_table}")
            dumped += [str(value) for row in cursor.fetchall() for value in row]
    assert len(dumped) > 10
    everything = "\n".join(dumped)
    for secret in SECRETS:
        assert secret not in everything


def test_no_page_or_fragment_after_saving_contains_a_secret(admin_client, organization, saved) -> None:
    basic, regional = saved
    responses = [admin_client.get(reverse("credential_list", args=[organization.slug]))]
    for credential in saved:
        for headers in ({}, HTMX):
            for address in object_urls(organization, credential):
                responses.append(admin_client.get(address, **headers))
    # A rejected edit (bad name, secret left blank) shows the overlay again: still without the stored secret.
    edit = reverse("credential_edit", args=[organization.slug, basic.pk])
    responses.append(admin_client.post(edit, save_form(name="", auth_username="", auth_password=""), **HTMX))
    responses.append(
        admin_client.post(edit, save_form(auth_username="", auth_password="", _action="add_header"), **HTMX)
    )
    # Saving an edit and renaming answer with the tile list and the tile.
    responses.append(admin_client.post(edit, save_form(auth_username="", auth_password=""), **HTMX))
    rename = reverse("credential_rename", args=[organization.slug, regional.pk])
    responses.append(admin_client.post(rename, {"name": "Regional renamed"}, **HTMX))
    responses.append(admin_client.post(reverse("credential_delete", args=[organization.slug, basic.pk]), **HTMX))
    assert {r.status_code for r in responses} == {200}
    for response in responses:
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, (response.request["PATH_INFO"], secret)
        assert basic.secrets.token not in body


def test_a_member_gets_403_on_every_credentials_url(member_client, organization, basic_credential) -> None:
    before = snapshot(organization)
    for address in credential_urls(organization, basic_credential):
        for method in ("get", "post"):
            response = getattr(member_client, method)(address, save_form(name="Member was here"))
            assert response.status_code == 403, (method, address)
            assert "Organization Admin" in response.content.decode()
    assert snapshot(organization) == before


def test_anonymous_users_are_sent_to_sign_in(client, organization, basic_credential) -> None:
    for address in credential_urls(organization, basic_credential):
        for method in ("get", "post"):
            response = getattr(client, method)(address)
            assert response.status_code == 302 and response.url.startswith("/accounts/login/"), address


def test_an_admin_of_another_organization_finds_nothing(
    outsider_client, organization, other_organization, basic_credential
) -> None:
    before = snapshot(organization)
    # Through this organization's URLs (not a member: the organization is not disclosed) ...
    addresses = credential_urls(organization, basic_credential)
    # ... and through the outsider's own organization with this organization's credential id.
    addresses += object_urls(other_organization, basic_credential)
    # In the outsider's own organization the tile answers GET only (405 to POST for any id, before a lookup).
    get_only = reverse("credential_tile", args=[other_organization.slug, basic_credential.pk])
    for address in addresses:
        for method in ("get",) if address == get_only else ("get", "post"):
            for headers in ({}, HTMX):
                response = getattr(outsider_client, method)(address, save_form(name="Hijacked"), **headers)
                assert response.status_code == 404, (method, address)
                assert "Billing API" not in response.content.decode()
    assert snapshot(organization) == before
    assert not Credential.objects.filter(name__in=["Hijacked", "Billing"]).exists()


def test_feature_flag_off_answers_404_everywhere(admin_client, organization, basic_credential) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    before = snapshot(organization)
    for address in credential_urls(organization, basic_credential):
        for method in ("get", "post"):
            assert getattr(admin_client, method)(address, save_form()).status_code == 404, (method, address)
    assert snapshot(organization) == before


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_every_state_changing_request_without_a_csrf_token_is_refused(
    admin_user, organization, basic_credential, htmx
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = snapshot(organization)
    slug, pk = organization.slug, basic_credential.pk
    posts = [
        (reverse("credential_create", args=[slug]), save_form()),
        (reverse("credential_create", args=[slug]), save_form(_action="add_header")),
        (reverse("credential_edit", args=[slug, pk]), save_form(name="Edited")),
        (reverse("credential_rename", args=[slug, pk]), {"name": "Renamed"}),
        (reverse("credential_delete", args=[slug, pk]), {}),
    ]
    for address, data in posts:
        response = client.post(address, data, **(HTMX if htmx else {}))
        assert response.status_code == 403, address
    assert snapshot(organization) == before
    # The same client with the page's token gets through: the refusal was the token's absence.
    page = client.get(reverse("credential_rename", args=[slug, pk]))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("credential_rename", args=[slug, pk]), {"name": "Renamed"}, HTTP_X_CSRFTOKEN=str(token)
    )
    assert response.status_code == 302
    basic_credential.refresh_from_db()
    assert basic_credential.name == "Renamed"


def test_a_wrong_encryption_key_fails_closed(admin_client, organization, basic_credential) -> None:
    token = Credential.objects.get(pk=basic_credential.pk).secrets.token
    edit = reverse("credential_edit", args=[organization.slug, basic_credential.pk])
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        # The list never decrypts, so it still renders.
        response = admin_client.get(reverse("credential_list", args=[organization.slug]))
        assert response.status_code == 200 and "Billing API" in response.content.decode()
        # Saving an edit that leaves a secret blank needs the stored value: an error, and nothing overwritten.
        data = save_form(name="Billing API", description="changed", auth_username="", auth_password="")
        for headers in (HTMX, {}):
            response = admin_client.post(edit, data, **headers)
            assert response.status_code == (200 if headers else 422)
            body = response.content.decode()
            assert STORED_SECRET_UNREADABLE in body
            assert 'role="alert"' in body
            assert token not in body
        stored = Credential.objects.get(pk=basic_credential.pk)
        assert stored.secrets.token == token and stored.description == "Invoices"
    assert Credential.objects.get(pk=basic_credential.pk).secrets.reveal()["password"] == "s3cret-basic-password"


def test_a_wrong_encryption_key_fails_closed_for_organization_rows(admin_client, organization) -> None:
    east = Organization.objects.get(slug="acme-east")
    credential = Credential.objects.create(
        organization=organization,
        name="Regional",
        base_url="https://r.example.com",
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        org_specific=True,
    )
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "east-token"})
    before = snapshot(organization)
    edit = reverse("credential_edit", args=[organization.slug, credential.pk])
    data = save_form(
        name="Regional renamed",
        base_url="https://r.example.com",
        auth_type="bearer",
        auth_key="Authorization",
        org_specific="on",
        **organizations(
            {"organization": "acme-east", "value": ""}, {"organization": "acme-west", "value": "west-token"}
        ),
    )
    with override_settings(CREDHUB_ENCRYPTION_KEYS=[Fernet.generate_key().decode()]):
        body = admin_client.post(edit, data, **HTMX).content.decode()
    assert STORED_SECRET_UNREADABLE in body
    assert html.field_errors(body, "id_organizations-0-value") == [STORED_SECRET_UNREADABLE]
    assert html.field_errors(body, "id_organizations-1-value") == []  # typed: nothing to ask for
    assert snapshot(organization) == before  # nothing saved: not the name, not the new row
    assert OrganizationCredential.objects.get().secrets.reveal() == {"value": "east-token"}
