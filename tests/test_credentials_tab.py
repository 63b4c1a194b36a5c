"""The Credentials tab: the list, the Add/Edit overlay's validation (htmx and plain), rename, delete."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.datastructures import MultiValueDict

from credentials.actions.credentials import NameTaken, do_rename_credential
from credentials.forms.credentials import NAME_TAKEN, CredentialForm, RenameCredentialForm
from credentials.models import AuditEvent, Connection, Credential, Organization, OrganizationCredential
from credentials.views.credentials import PAGE_SIZE, save_credential
from tests import html
from tests.formsets import headers, organizations, secret_headers

HTMX = {"HTTP_HX_REQUEST": "true"}
LIST = "credential_list"


def url(name: str, organization: Organization, credential: Credential | None = None, **query: str) -> str:
    args = [organization.slug] + ([credential.pk] if credential else [])
    address = reverse(name, args=args)
    return address + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def basic_form(**overrides) -> dict:
    data = {
        "name": "Billing",
        "description": "Keep me typed",
        "base_url": "https://billing.example.com",
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "bill",
        "auth_password": "pw-secret-typed",
        "_action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post(client: Client, address: str, data: dict, htmx: bool):
    return client.post(address, data, **(HTMX if htmx else {}))


def assert_rejected(response, htmx: bool) -> str:
    """A rejected save answers the overlay again: the partial for htmx, the full page (422) otherwise."""
    assert response.status_code == (200 if htmx else 422)
    body = response.content.decode()
    assert 'id="credential-form"' in body
    assert ("<html" in body) is not htmx
    assert "HX-Trigger" not in response.headers
    assert 'role="alert"' in body
    return body


def closes_overlay(response) -> bool:
    return "credhub:close-dialog" in json.loads(response.headers.get("HX-Trigger", "{}"))


both = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])


# The list -----------------------------------------------------------------------------------------


def test_empty_state(admin_client, organization) -> None:
    body = admin_client.get(url(LIST, organization)).content.decode()
    assert "No credentials yet" in body
    assert "Add Credential" in body
    assert 'aria-current="page">Integrations' in body


def test_tiles_show_name_connector_description_test_label_and_org_specific_marker(admin_client, organization):
    Credential.objects.create(
        organization=organization,
        name="Regional CRM",
        description="One token per region",
        base_url="https://crm.example.com",
        auth_type="bearer",
        is_test=True,
        org_specific=True,
    )
    body = admin_client.get(url(LIST, organization)).content.decode()
    assert "Regional CRM" in body and "HTTP API · Token (Bearer Auth)" in body
    assert "One token per region" in body
    assert '<span class="badge test">test</span>' in body
    assert "Org. specific" in body
    assert "Never" in body  # last used


def test_tiles_are_ordered_by_name_ignoring_case(admin_client, organization) -> None:
    for name in ("beta", "Alpha", "gamma", "Delta"):
        Credential.objects.create(organization=organization, name=name, auth_type="none", base_url="https://x.io")
    body = admin_client.get(url(LIST, organization)).content.decode()
    positions = [body.index(f">{name}</h3>") for name in ("Alpha", "beta", "Delta", "gamma")]
    assert positions == sorted(positions)


def _many_credentials(organization: Organization, start: int, stop: int) -> None:
    Credential.objects.bulk_create(
        Credential(
            organization=organization,
            name=f"Credential {number:04d}",
            base_url="https://api.example.com",
            auth_type="basic",
            secrets={"username": "u", "password": "p"},
        )
        for number in range(start, stop)
    )


def test_the_list_issues_the_same_number_of_queries_for_10_and_500_credentials(admin_client, organization) -> None:
    _many_credentials(organization, 0, 10)
    with CaptureQueriesContext(connection) as ten:
        assert admin_client.get(url(LIST, organization)).status_code == 200
    _many_credentials(organization, 10, 500)
    with CaptureQueriesContext(connection) as five_hundred:
        response = admin_client.get(url(LIST, organization))
    assert response.status_code == 200
    assert "500 credentials" in response.content.decode()
    assert len(ten) == len(five_hundred)
    # The list never loads a secret column.
    assert not any("secrets" in query["sql"] for query in five_hundred.captured_queries)


def test_load_more_pages_through_1000_credentials(admin_client, organization) -> None:
    _many_credentials(organization, 0, 1000)
    first = admin_client.get(url(LIST, organization)).content.decode()
    names = [n for n in (f"Credential {i:04d}" for i in range(1000)) if f">{n}</h3>" in first]
    assert "1,000 credentials" in first and "Load more credentials" in first
    page, pages = 2, 1
    while True:
        response = admin_client.get(url(LIST, organization, page=str(page)), **HTMX)
        fragment = response.content.decode()
        assert "<html" not in fragment
        names += [n for n in (f"Credential {i:04d}" for i in range(1000)) if f">{n}</h3>" in fragment]
        pages += 1
        if "Load more credentials" not in fragment:
            break
        assert f"?page={page + 1}" in fragment
        page += 1
    assert names == [f"Credential {i:04d}" for i in range(1000)]
    assert pages == -(-1000 // PAGE_SIZE)
    # Without JavaScript the link is a plain page.
    plain = admin_client.get(url(LIST, organization, page=str(pages))).content.decode()
    assert "<html" in plain and ">Credential 0999</h3>" in plain


# Creating -------------------------------------------------------------------------------------------


@both
def test_create_basic(admin_client, admin_user, organization, htmx) -> None:
    response = post(admin_client, url("credential_create", organization), basic_form(), htmx)
    credential = Credential.objects.get(organization=organization, name="Billing")
    assert credential.secrets.reveal() == {"username": "bill", "password": "pw-secret-typed"}
    assert credential.created_by == admin_user and credential.auth_type == "basic"
    assert AuditEvent.objects.filter(action="credential.created", organization=organization).count() == 1
    if htmx:
        assert response.status_code == 200
        assert closes_overlay(response)
        assert response.headers["HX-Retarget"] == "#tile-list"
        body = response.content.decode()
        assert "Credential “Billing” added." in body and ">Billing</h3>" in body
    else:
        assert response.status_code == 302 and response.url == url(LIST, organization)


def test_create_every_auth_type_stores_settings_and_secrets(admin_client, organization) -> None:
    cases = {
        "headers": (
            secret_headers(("X-One", "one-secret"), ("X-Two", "two-secret")),
            {"header_names": ["X-One", "X-Two"]},
            {"X-One": "one-secret", "X-Two": "two-secret"},
        ),
        "bearer": ({"auth_key": "Authorization", "auth_value": "tok-secret"}, {"key": "Authorization"}, None),
        "aws4": (
            {
                "auth_access_key": "AKIDEXAMPLE",
                "auth_secret_key": "aws-secret",
                "auth_region": "eu-west-1",
                "auth_service": "execute-api",
                "auth_endpoint": "https://abc.execute-api.eu-west-1.amazonaws.com",
            },
            {
                "region": "eu-west-1",
                "service": "execute-api",
                "endpoint": "https://abc.execute-api.eu-west-1.amazonaws.com",
            },
            {"access_key": "AKIDEXAMPLE", "secret_key": "aws-secret"},
        ),
        "hmac_sha256": ({"auth_client_id": "cid", "auth_client_secret": "hmac-secret"}, {}, None),
        "none": ({}, {}, None),
    }
    for auth_type, (fields, settings, secrets) in cases.items():
        data = basic_form(name=f"Via {auth_type}", auth_type=auth_type, auth_username=None, auth_password=None)
        data.update(fields)
        response = post(admin_client, url("credential_create", organization), data, htmx=True)
        assert closes_overlay(response), response.content.decode()[:3000]
        credential = Credential.objects.get(name=f"Via {auth_type}")
        assert credential.auth_settings == settings
        if auth_type == "bearer":
            secrets = {"value": "tok-secret"}
        if auth_type == "hmac_sha256":
            secrets = {"client_id": "cid", "client_secret": "hmac-secret"}
        if auth_type == "none":
            assert credential.secrets is None
        else:
            assert credential.secrets.reveal() == secrets


def test_create_org_specific_and_extra_headers(admin_client, organization) -> None:
    data = basic_form(
        org_specific="on",
        auth_username=None,
        auth_password=None,
        **organizations(
            {"organization": "acme-east", "username": "east-user", "password": "east-pw"},
            {"organization": "acme-west", "username": "west-user", "password": "west-pw"},
        ),
        **headers(("X-Tenant", "acme"), ("Accept", "application/json")),
        content_type="application/xml",
        is_test="on",
    )
    response = post(admin_client, url("credential_create", organization), data, htmx=True)
    assert closes_overlay(response)
    credential = Credential.objects.get(name="Billing")
    assert credential.org_specific and credential.is_test and credential.secrets is None
    assert credential.content_type == "application/xml"
    assert credential.extra_headers == [["X-Tenant", "acme"], ["Accept", "application/json"]]
    rows = {row.organization.slug: row.secrets.reveal() for row in credential.organization_credentials.all()}
    assert rows == {
        "acme-east": {"username": "east-user", "password": "east-pw"},
        "acme-west": {"username": "west-user", "password": "west-pw"},
    }


def test_view_restart_buttons_change_rows_without_saving_or_judging(admin_client, organization) -> None:
    create = url("credential_create", organization)
    data = basic_form(name="", **headers(("X-A", "a")), _action="add_header")
    body = post(admin_client, create, data, htmx=True).content.decode()
    assert html.value(body, "id_headers-0-name") == "X-A" and html.value(body, "id_headers-1-name") == ""
    assert 'data-focus="id_headers-1-name"' in body
    assert html.value(body, "id_headers-TOTAL_FORMS") == "2"
    assert 'role="alert"' not in body and "This field is required." not in body
    assert html.value(body, "id_description") == "Keep me typed"
    data = basic_form(**headers(("X-A", "a"), ("X-B", "b")), _action="remove_header:0")
    body = post(admin_client, create, data, htmx=True).content.decode()
    assert html.value(body, "id_headers-0-name") == "X-B" and html.by_id(body, "id_headers-1-name") is None
    assert html.value(body, "id_headers-0-value") == "b" and html.value(body, "id_headers-TOTAL_FORMS") == "1"
    data = basic_form(org_specific="on", _action="add_organization")
    body = post(admin_client, create, data, htmx=True).content.decode()
    assert html.by_id(body, "id_organizations-0-organization") is not None and "Remove Organization" in body
    body = post(admin_client, create, basic_form(org_specific="on", _action="refresh"), htmx=True).content.decode()
    assert html.by_id(body, "id_organizations-0-organization") is not None
    assert html.by_id(body, "id_organizations-1-organization") is None
    data = basic_form(auth_type="aws4", _action="refresh")
    body = post(admin_client, create, data, htmx=True).content.decode()
    assert html.by_id(body, "id_auth_region") is not None and html.by_id(body, "id_auth_username") is None
    assert not Credential.objects.exists()


# Validation: every bad input gets its message next to its field, and nothing typed is lost ------------


@both
def test_empty_name(admin_client, organization, htmx) -> None:
    body = assert_rejected(
        post(admin_client, url("credential_create", organization), basic_form(name="  "), htmx), htmx
    )
    assert html.field_errors(body, "id_name") == ["Enter a name for the credential."]
    assert html.value(body, "id_description") == "Keep me typed"
    assert html.value(body, "id_base_url") == "https://billing.example.com"
    assert html.value(body, "id_auth_username") == "bill"
    assert html.value(body, "id_auth_type") == "basic"
    assert not Credential.objects.exists()


@both
def test_duplicate_name_ignores_case_and_is_per_organization(
    admin_client, organization, other_organization, basic_credential, htmx
) -> None:
    Credential.objects.create(organization=other_organization, name="Globex API", auth_type="none")
    response = post(admin_client, url("credential_create", organization), basic_form(name="billing api"), htmx)
    body = assert_rejected(response, htmx)
    assert html.field_errors(body, "id_name") == [NAME_TAKEN]
    assert html.value(body, "id_name") == "billing api"
    # The same name in another organization is fine.
    response = post(admin_client, url("credential_create", organization), basic_form(name="GLOBEX api"), htmx)
    assert response.status_code in (200, 302) and "HX-Retarget" in response.headers or response.status_code == 302
    assert Credential.objects.filter(organization=organization, name="GLOBEX api").exists()


def test_duplicate_name_under_a_race_is_caught_by_the_database(admin_user, organization) -> None:
    form = CredentialForm(
        organization, MultiValueDict({k: v if isinstance(v, list) else [v] for k, v in basic_form().items()})
    )
    assert form.is_valid()
    # Another request saves the same name between this one's validation and its save.
    Credential.objects.create(organization=organization, name="BILLING", auth_type="none")
    assert save_credential(form, actor=admin_user, request=None) is None
    assert form.errors["name"] == [NAME_TAKEN]
    assert Credential.objects.filter(organization=organization).count() == 1
    assert not AuditEvent.objects.filter(action="credential.created").exists()


def test_rename_race_is_caught_by_the_database(admin_client, organization, basic_credential) -> None:
    form = RenameCredentialForm(basic_credential, {"name": "Taken"})
    assert form.is_valid()
    Credential.objects.create(organization=organization, name="taken", auth_type="none")
    with pytest.raises(NameTaken):
        do_rename_credential(basic_credential, form.cleaned_data["name"], actor=None)
    basic_credential.refresh_from_db()
    assert basic_credential.name == "Billing API"


@both
@pytest.mark.parametrize("base_url", ["ftp://files.example.com", "javascript:alert(1)", "billing.example.com", ""])
def test_base_url_must_be_http_or_https(admin_client, organization, htmx, base_url) -> None:
    response = post(admin_client, url("credential_create", organization), basic_form(base_url=base_url), htmx)
    body = assert_rejected(response, htmx)
    expected = (
        "Enter the Base URL, such as https://api.example.com."
        if not base_url
        else "Base URL must start with https:// or http://"
    )
    assert html.field_errors(body, "id_base_url") == [expected]
    assert html.value(body, "id_name") == "Billing"


BAD_HEADERS = [
    (["Bad Header"], ["v"], "id_headers-0-name", "Enter a valid header name"),
    (["X-A:b"], ["v"], "id_headers-0-name", "Enter a valid header name"),
    (["X-A\r\nInjected"], ["v"], "id_headers-0-name", "Enter a valid header name"),
    (["X-A"], ["v\r\nInjected: 1"], "id_headers-0-value", "Header values cannot contain line breaks."),
    (["X-Dup", "x-dup"], ["1", "2"], "id_headers-1-name", "This header is already listed."),
    (["Content-Type"], ["text/plain"], "id_headers-0-name", "Content-Type is set above"),
    (["authorization"], ["x"], "id_headers-0-name", "The authentication type sets this header."),
    ([""], ["orphan value"], "id_headers-0-name", "Enter a header name."),
    (["X-Long"], ["v" * 4097], "id_headers-0-value", "at most 4096 characters"),
]


@both
@pytest.mark.parametrize(("names", "values", "field_id", "message"), BAD_HEADERS)
def test_bad_extra_headers(admin_client, organization, htmx, names, values, field_id, message) -> None:
    data = basic_form(**headers(*zip(names, values)))
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, htmx), htmx)
    errors = html.field_errors(body, field_id)
    assert len(errors) == 1 and message in errors[0]
    for index, name in enumerate(names):
        if "\r" not in name:
            assert html.value(body, f"id_headers-{index}-name") == name
    assert html.value(body, "id_auth_username") == "bill"
    assert not Credential.objects.exists()


@both
@pytest.mark.parametrize(
    ("keys", "values", "field_id", "message"),
    [
        (["X-Key", "x-key"], ["a", "b"], "id_auth_headers-1-key", "This header is already listed."),
        (["Content-Type"], ["a"], "id_auth_headers-0-key", "Choose the Content-Type above instead."),
        (["Bad Key"], ["a"], "id_auth_headers-0-key", "Enter a valid header name"),
        (["X-Key"], [""], "id_auth_headers-0-value", "Enter the Value for X-Key."),
    ],
)
def test_bad_secret_headers(admin_client, organization, htmx, keys, values, field_id, message) -> None:
    data = basic_form(auth_type="headers", **secret_headers(*zip(keys, values)))
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, htmx), htmx)
    errors = html.field_errors(body, field_id)
    assert len(errors) == 1 and message in errors[0]
    assert html.value(body, "id_auth_headers-0-key") == keys[0]


def test_secret_header_named_like_an_extra_header_is_refused(admin_client, organization) -> None:
    data = basic_form(auth_type="headers", **secret_headers(("X-Key", "s")), **headers(("x-key", "v")))
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, True), True)
    assert html.field_errors(body, "id_headers-0-name") == ["The authentication type sets this header."]


@both
@pytest.mark.parametrize(
    ("auth_type", "fields", "missing", "label"),
    [
        ("basic", {"auth_username": "u"}, "id_auth_password", "Password"),
        ("basic", {"auth_password": "p"}, "id_auth_username", "Username"),
        ("bearer", {"auth_key": "Authorization"}, "id_auth_value", "Value"),
        (
            "aws4",
            {"auth_access_key": "a", "auth_region": "r", "auth_service": "s", "auth_endpoint": "https://e.io"},
            "id_auth_secret_key",
            "Secret Key",
        ),
        ("hmac_sha256", {"auth_client_id": "c"}, "id_auth_client_secret", "Client Secret"),
    ],
)
def test_missing_secret_field(admin_client, organization, htmx, auth_type, fields, missing, label) -> None:
    data = basic_form(auth_type=auth_type, auth_username=None, auth_password=None)
    data.update(fields)
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, htmx), htmx)
    assert html.field_errors(body, missing) == [f"Enter the {label}."]
    for name, typed in fields.items():
        assert html.value(body, f"id_{name}") == typed


@both
@pytest.mark.parametrize(
    ("overrides", "field_id", "message"),
    [
        ({"name": "n" * 101}, "id_name", "at most 100 characters"),
        ({"description": "d" * 501}, "id_description", "at most 500 characters"),
        ({"base_url": "https://example.com/" + "p" * 2040}, "id_base_url", "at most 2048 characters"),
        ({"auth_password": "p" * 4097}, "id_auth_password", "at most 4096 characters"),
        ({"auth_username": "u" * 1025}, "id_auth_username", "at most 1024 characters"),
        ({"auth_username": "line\nbreak"}, "id_auth_username", "cannot contain line breaks"),
    ],
)
def test_over_long_values(admin_client, organization, htmx, overrides, field_id, message) -> None:
    body = assert_rejected(
        post(admin_client, url("credential_create", organization), basic_form(**overrides), htmx), htmx
    )
    errors = html.field_errors(body, field_id)
    assert len(errors) == 1 and message in errors[0]
    assert not Credential.objects.exists()


def test_aws4_endpoint_must_be_a_url(admin_client, organization) -> None:
    data = basic_form(
        auth_type="aws4",
        auth_access_key="a",
        auth_secret_key="s",
        auth_region="r",
        auth_service="s",
        auth_endpoint="nope",
    )
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, True), True)
    assert html.field_errors(body, "id_auth_endpoint") == ["Base Endpoint must start with https:// or http://"]


@both
@pytest.mark.parametrize(
    ("slugs", "field_id", "message"),
    [
        (["", "acme-west"], "id_organizations-0-organization", "Choose an organization."),
        (["acme-east", "acme-east"], "id_organizations-1-organization", "This organization already has a row."),
        (
            ["globex", "acme-west"],
            "id_organizations-0-organization",
            "Choose one of this organization's child organizations.",
        ),
        (
            ["acme", "acme-west"],
            "id_organizations-0-organization",
            "Choose one of this organization's child organizations.",
        ),
    ],
)
def test_bad_organization_rows(admin_client, organization, other_organization, htmx, slugs, field_id, message) -> None:
    data = basic_form(
        org_specific="on",
        auth_username=None,
        auth_password=None,
        **organizations(
            {"organization": slugs[0], "username": "first-user", "password": "first-pw"},
            {"organization": slugs[1], "username": "second-user", "password": "second-pw"},
        ),
    )
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, htmx), htmx)
    assert html.field_errors(body, field_id) == [message]
    # The other row has no error of its own.
    other = field_id.replace("-0-", "-9-").replace("-1-", "-0-").replace("-9-", "-1-")
    assert html.field_errors(body, other) == []
    assert html.value(body, "id_organizations-0-username") == "first-user"
    assert html.value(body, "id_organizations-1-username") == "second-user"
    assert html.value(body, "id_org_specific") == "on"
    assert not Credential.objects.exists() and not OrganizationCredential.objects.exists()


@both
def test_organization_row_missing_its_secret(admin_client, organization, htmx) -> None:
    data = basic_form(
        org_specific="on",
        **organizations({"organization": "acme-east", "username": "east", "password": ""}),
    )
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, htmx), htmx)
    assert html.field_errors(body, "id_organizations-0-password") == ["Enter the Password."]
    assert html.value(body, "id_organizations-0-organization") == "acme-east"


@both
def test_org_specific_without_rows(admin_client, organization, htmx) -> None:
    body = assert_rejected(
        post(admin_client, url("credential_create", organization), basic_form(org_specific="on"), htmx), htmx
    )
    assert "Add at least one organization, or turn off Org. Specific Authentication." in body
    assert html.value(body, "id_org_specific") == "on"


def test_org_specific_with_no_authentication_needs_no_rows(admin_client, organization) -> None:
    data = basic_form(org_specific="on", auth_type="none")
    response = post(admin_client, url("credential_create", organization), data, htmx=True)
    assert closes_overlay(response)
    credential = Credential.objects.get(name="Billing")
    assert credential.secrets is None and not credential.org_specific


def test_unknown_content_type_and_auth_type(admin_client, organization) -> None:
    data = basic_form(content_type="text/html")
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, True), True)
    assert html.field_errors(body, "id_content_type")


# Editing ------------------------------------------------------------------------------------------


def _edit(admin_client, organization, credential, **overrides):
    data = basic_form(name=credential.name, auth_password="")
    data.update(overrides)
    return post(admin_client, url("credential_edit", organization, credential), data, htmx=True)


def test_edit_form_shows_settings_but_masks_secrets(admin_client, organization, basic_credential) -> None:
    body = admin_client.get(url("credential_edit", organization, basic_credential), **HTMX).content.decode()
    assert html.value(body, "id_name") == "Billing API"
    assert html.value(body, "id_auth_password") == "" and html.value(body, "id_auth_username") == ""
    assert "Saved. Leave blank to keep the current value." in body
    assert "s3cret-basic-password" not in body and "billing-user" not in body


def test_edit_keeps_secrets_left_blank_and_replaces_typed_ones(admin_client, organization, basic_credential) -> None:
    response = _edit(admin_client, organization, basic_credential, auth_username="", description="Edited")
    assert closes_overlay(response)
    basic_credential.refresh_from_db()
    assert basic_credential.description == "Edited"
    assert basic_credential.secrets.reveal() == {"username": "billing-user", "password": "s3cret-basic-password"}
    _edit(admin_client, organization, basic_credential, auth_username="", auth_password="brand-new")
    basic_credential.refresh_from_db()
    assert basic_credential.secrets.reveal() == {"username": "billing-user", "password": "brand-new"}
    assert AuditEvent.objects.filter(action="credential.edited").count() == 2


def test_edit_switching_type_asks_for_the_new_secrets(admin_client, organization, basic_credential) -> None:
    response = _edit(admin_client, organization, basic_credential, auth_type="bearer", auth_key="Authorization")
    body = assert_rejected(response, True)
    assert html.field_errors(body, "id_auth_value") == ["Enter the Value."]
    basic_credential.refresh_from_db()
    assert basic_credential.auth_type == "basic"


def test_edit_org_specific_keeps_each_rows_secret(admin_client, organization) -> None:
    east = Organization.objects.get(slug="acme-east")
    credential = Credential.objects.create(
        organization=organization,
        name="Regional",
        base_url="https://r.io",
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        org_specific=True,
    )
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "east-token"})
    data = basic_form(
        name="Regional",
        base_url="https://r.io/v2",  # same origin: the stored secrets are kept
        auth_type="bearer",
        auth_key="Authorization",
        org_specific="on",
        **organizations(
            {"organization": "acme-east", "value": ""}, {"organization": "acme-west", "value": "west-token"}
        ),
    )
    response = post(admin_client, url("credential_edit", organization, credential), data, htmx=True)
    assert closes_overlay(response), response.content.decode()[:2000]
    rows = {row.organization.slug: row.secrets.reveal() for row in credential.organization_credentials.all()}
    assert rows == {"acme-east": {"value": "east-token"}, "acme-west": {"value": "west-token"}}


def test_edit_keeps_headers_secrets_by_header_name(admin_client, organization) -> None:
    credential = Credential.objects.create(
        organization=organization,
        name="Hdr",
        base_url="https://h.io",
        auth_type="headers",
        auth_settings={"header_names": ["X-One", "X-Two"]},
        secrets={"X-One": "one", "X-Two": "two"},
    )
    data = basic_form(
        name="Hdr",
        base_url="https://h.io",
        auth_type="headers",
        **secret_headers(("X-One", ""), ("X-Two", "two-new")),
    )
    response = post(admin_client, url("credential_edit", organization, credential), data, htmx=True)
    assert closes_overlay(response)
    credential.refresh_from_db()
    assert credential.secrets.reveal() == {"X-One": "one", "X-Two": "two-new"}


# Rename and delete ----------------------------------------------------------------------------------


@both
def test_rename(admin_client, organization, basic_credential, htmx) -> None:
    address = url("credential_rename", organization, basic_credential)
    form = admin_client.get(address, **(HTMX if htmx else {})).content.decode()
    assert html.value(form, f"id_rename_{basic_credential.pk}_name") == "Billing API"
    response = post(admin_client, address, {"name": "  Invoices   API "}, htmx)
    basic_credential.refresh_from_db()
    assert basic_credential.name == "Invoices API"
    if htmx:
        body = response.content.decode()
        assert "Renamed to “Invoices API”." in body and ">Invoices API</h3>" in body
    else:
        assert response.status_code == 302
    assert AuditEvent.objects.filter(action="credential.renamed").count() == 1


@both
def test_rename_refuses_empty_and_duplicate_names(admin_client, organization, basic_credential, htmx) -> None:
    Credential.objects.create(organization=organization, name="Other", auth_type="none")
    address = url("credential_rename", organization, basic_credential)
    field_id = f"id_rename_{basic_credential.pk}_name"
    for name, message in (("", "This field is required."), ("OTHER", NAME_TAKEN)):
        response = post(admin_client, address, {"name": name}, htmx)
        assert response.status_code == (200 if htmx else 422)
        body = response.content.decode()
        assert html.field_errors(body, field_id) == [message]
        assert html.value(body, field_id) == name
    basic_credential.refresh_from_db()
    assert basic_credential.name == "Billing API"


@both
def test_delete_names_and_revokes_connections(admin_client, organization, basic_credential, htmx) -> None:
    Connection.objects.create(
        organization=organization,
        kind="source",
        connector="http_api",
        name="Nightly import",
        credential=basic_credential,
    )
    address = url("credential_delete", organization, basic_credential)
    confirm = admin_client.get(address, **(HTMX if htmx else {})).content.decode()
    assert "Delete “Billing API”?" in confirm and "Nightly import" in confirm
    response = post(admin_client, address, {}, htmx)
    assert not Credential.objects.filter(pk=basic_credential.pk).exists()
    connection_row = Connection.objects.get(name="Nightly import")
    assert connection_row.status == "revoked" and connection_row.credential is None
    if htmx:
        assert closes_overlay(response)
        assert "Revoked connections: Nightly import." in response.content.decode()
    else:
        assert response.status_code == 302


def test_switching_to_token_offers_the_default_key(admin_client, organization) -> None:
    # The previous type's empty Key input is posted along; the new type still starts with its default.
    data = basic_form(auth_type="bearer", auth_key=[""], auth_value=[""], _action="refresh")
    body = post(admin_client, url("credential_create", organization), data, htmx=True).content.decode()
    assert html.value(body, "id_auth_key") == "Authorization"
    assert html.value(body, "id_name") == "Billing"


def test_token_key_cannot_be_content_type(admin_client, organization) -> None:
    data = basic_form(auth_type="bearer", auth_key="content-type", auth_value="t")
    body = assert_rejected(post(admin_client, url("credential_create", organization), data, True), True)
    assert html.field_errors(body, "id_auth_key") == ["Choose the Content-Type above instead."]


def test_without_javascript_the_row_buttons_redraw_the_full_page(admin_client, organization) -> None:
    create = url("credential_create", organization)
    page = admin_client.get(create).content.decode()
    assert "<html" in page and "Show fields for this type" in page  # the <noscript> stand-in for the swap
    response = post(admin_client, create, basic_form(_action="add_header"), htmx=False)
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" in body and html.by_id(body, "id_headers-0-name") is not None
    assert 'data-focus="id_headers-0-name"' in body
    assert html.value(body, "id_auth_password") == "pw-secret-typed"  # typed, not yet saved: kept
    response = post(admin_client, create, basic_form(auth_type="hmac_sha256", _action="refresh"), htmx=False)
    assert html.by_id(response.content.decode(), "id_auth_client_secret") is not None
    assert not Credential.objects.exists()


# Pagination --------------------------------------------------------------------------------------


def test_a_huge_page_number_shows_the_last_page(admin_client, organization, basic_credential) -> None:
    address = reverse("credential_list", args=[organization.slug])
    for page in ("99999999999999999999999", "-1", "x", "1e9"):
        response = admin_client.get(address, {"page": page})
        assert response.status_code == 200
        assert "Billing API" in response.content.decode()
