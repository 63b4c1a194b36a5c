"""The overlay's repeated rows as formsets: each row's problems on its own inputs, rows added and removed
with and without JavaScript, a management form changed outside credhub, and the API's rows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from credentials.forms.credentials.rows import ROWS_UNREADABLE
from credentials.forms.credentials.rules import MAX_EXTRA_HEADERS, MAX_ORGANIZATION_ROWS, MAX_SECRET_HEADERS
from credentials.models import AuditEvent, Credential
from tests import html
from tests.clients import api
from tests.formsets import formset, headers, organizations, secret_headers

HTMX = {"HTTP_HX_REQUEST": "true"}
both = pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])


def _form(**overrides) -> dict:
    return {
        "name": "Rows",
        "base_url": "https://rows.example.com",
        "content_type": "application/json",
        "auth_type": "basic",
        "auth_username": "user",
        "auth_password": "pw-typed",
        "_action": "save",
        **overrides,
    }


def _post(client, organization, data: dict, htmx: bool):
    return client.post(reverse("credential_create", args=[organization.slug]), data, **(HTMX if htmx else {}))


# Each row's problems on its own row ----------------------------------------------------------------


@both
def test_extra_header_errors_land_on_their_row(admin_client, organization, htmx) -> None:
    data = _form(**headers(("X-Fine", "1"), ("bad name", "2"), ("X-Also-Fine", "line\nbreak")))
    response = _post(admin_client, organization, data, htmx)
    assert response.status_code == (200 if htmx else 422)
    body = response.content.decode()
    assert html.field_errors(body, "id_headers-0-name") == []
    assert html.field_errors(body, "id_headers-0-value") == []
    assert "Enter a valid header name" in html.field_errors(body, "id_headers-1-name")[0]
    assert html.field_errors(body, "id_headers-1-value") == []
    assert html.field_errors(body, "id_headers-2-name") == []
    assert html.field_errors(body, "id_headers-2-value") == ["Header values cannot contain line breaks."]
    # Nothing typed is lost, and the management form counts the rows shown.
    assert [html.value(body, f"id_headers-{i}-name") for i in range(3)] == ["X-Fine", "bad name", "X-Also-Fine"]
    assert html.value(body, "id_headers-TOTAL_FORMS") == "3"
    assert not Credential.objects.exists()


def test_secret_header_and_organization_errors_land_on_their_row(admin_client, organization) -> None:
    data = _form(
        auth_type="headers",
        **secret_headers(("X-One", "one"), ("X-Two", ""), ("x-one", "three")),
    )
    body = _post(admin_client, organization, data, True).content.decode()
    assert html.field_errors(body, "id_auth_headers-0-key") == []
    assert html.field_errors(body, "id_auth_headers-0-value") == []
    assert html.field_errors(body, "id_auth_headers-1-value") == ["Enter the Value for X-Two."]
    assert html.field_errors(body, "id_auth_headers-2-key") == ["This header is already listed."]
    assert html.value(body, "id_auth_headers-2-value") == "three"  # typed, not saved: shown back
    data = _form(
        org_specific="on",
        **organizations(
            {"organization": "acme-east", "username": "e", "password": "pe"},
            {"organization": "acme-west", "username": "w", "password": ""},
        ),
    )
    body = _post(admin_client, organization, data, True).content.decode()
    assert html.field_errors(body, "id_organizations-0-password") == []
    assert html.field_errors(body, "id_organizations-1-password") == ["Enter the Password."]
    assert html.value(body, "id_organizations-1-organization") == "acme-west"
    assert not Credential.objects.exists()


# Rows added and removed, with and without JavaScript -----------------------------------------------


@both
def test_add_and_remove_secret_headers(admin_client, organization, htmx) -> None:
    data = _form(auth_type="headers", **secret_headers(("X-One", "1"), ("X-Two", "2")), _action="add_secret_header")
    body = _post(admin_client, organization, data, htmx).content.decode()
    assert ("<html" in body) is not htmx
    assert html.value(body, "id_auth_headers-2-key") == "" and html.value(body, "id_auth_headers-1-key") == "X-Two"
    assert 'data-focus="id_auth_headers-2-key"' in body
    assert html.value(body, "id_auth_headers-TOTAL_FORMS") == "3"
    data = _form(
        auth_type="headers", **secret_headers(("X-One", "1"), ("X-Two", "2")), _action="remove_secret_header:0"
    )
    body = _post(admin_client, organization, data, htmx).content.decode()
    assert html.value(body, "id_auth_headers-0-key") == "X-Two" and html.value(body, "id_auth_headers-0-value") == "2"
    assert html.by_id(body, "id_auth_headers-1-key") is None
    assert html.value(body, "id_auth_headers-TOTAL_FORMS") == "1"
    assert not Credential.objects.exists()


@both
def test_add_and_remove_organization_rows(admin_client, organization, htmx) -> None:
    rows = organizations(
        {"organization": "acme-east", "username": "east", "password": "pe"},
        {"organization": "acme-west", "username": "west", "password": "pw"},
    )
    one_row = organizations({"organization": "acme-east", "username": "east", "password": "pe"})
    body = _post(admin_client, organization, _form(org_specific="on", **one_row, _action="add_organization"), htmx)
    body = body.content.decode()
    assert html.value(body, "id_organizations-1-organization") == ""
    assert html.value(body, "id_organizations-0-username") == "east"
    assert 'data-focus="id_organizations-1-organization"' in body
    # Acme has two child organizations: a third row could only repeat one, so none is added.
    body = _post(admin_client, organization, _form(org_specific="on", **rows, _action="add_organization"), htmx)
    body = body.content.decode()
    assert html.by_id(body, "id_organizations-2-organization") is None
    assert html.value(body, "id_organizations-1-username") == "west"
    assert "Every child organization of Acme has a row (2 of 2)." in body
    response = _post(
        admin_client, organization, _form(org_specific="on", **rows, _action="remove_organization:0"), htmx
    )
    body = response.content.decode()
    assert html.value(body, "id_organizations-0-organization") == "acme-west"
    assert html.value(body, "id_organizations-0-username") == "west"
    assert html.by_id(body, "id_organizations-1-organization") is None
    assert html.value(body, "id_organizations-TOTAL_FORMS") == "1"
    assert 'role="alert"' not in body  # a restart does not judge
    assert not Credential.objects.exists()


def test_removing_a_secret_header_removes_its_value_from_each_organization_row(admin_client, organization) -> None:
    data = _form(
        auth_type="headers",
        org_specific="on",
        **secret_headers(("X-One", ""), ("X-Two", "")),
        **organizations({"organization": "acme-east", "value_0": "east-one", "value_1": "east-two"}),
        _action="remove_secret_header:0",
    )
    body = _post(admin_client, organization, data, True).content.decode()
    assert html.value(body, "id_organizations-0-value_0") == "east-two"
    assert html.by_id(body, "id_organizations-0-value_1") is None


def test_saving_with_rows_added_through_the_restarts(admin_client, organization) -> None:
    data = _form(**headers(("X-Team", "ops"), ("Accept", "application/json")))
    response = _post(admin_client, organization, data, False)
    assert response.status_code == 302
    assert Credential.objects.get().extra_headers == [["X-Team", "ops"], ["Accept", "application/json"]]


# A management form changed outside credhub ---------------------------------------------------------


@both
@pytest.mark.parametrize("count", ["-1", "²", "٣", "ten", "1.5", " "])
@pytest.mark.parametrize(("prefix", "rows"), [("headers", "extra headers"), ("organizations", "organization rows")])
def test_an_unreadable_row_count_is_a_clear_error(admin_client, organization, htmx, count, prefix, rows) -> None:
    data = _form(org_specific="on" if prefix == "organizations" else None, **{f"{prefix}-TOTAL_FORMS": count})
    data = {k: v for k, v in data.items() if v is not None}
    response = _post(admin_client, organization, data, htmx)
    assert response.status_code == (200 if htmx else 422)
    body = response.content.decode()
    assert ROWS_UNREADABLE.format(rows=rows) in body
    assert html.value(body, "id_name") == "Rows"  # the rest of what was typed is kept
    assert html.value(body, f"id_{prefix}-TOTAL_FORMS") == "0"  # shown again with a count that reads
    assert not Credential.objects.exists()


def test_an_unreadable_secret_header_count_is_a_clear_error(admin_client, organization) -> None:
    body = _post(admin_client, organization, _form(auth_type="headers", **{"auth_headers-TOTAL_FORMS": "²"}), True)
    assert ROWS_UNREADABLE.format(rows="secret headers") in body.content.decode()


@both
@pytest.mark.parametrize("count", ["1000", "999999999", "9" * 5000])
def test_a_huge_row_count_reads_one_row_past_the_limit(admin_client, organization, htmx, count) -> None:
    data = _form(**{**headers(("X-A", "1")), "headers-TOTAL_FORMS": count})
    response = _post(admin_client, organization, data, htmx)
    assert response.status_code == (200 if htmx else 422)
    body = response.content.decode()
    assert f"Add at most {MAX_EXTRA_HEADERS} headers." in body
    assert html.value(body, "id_headers-0-name") == "X-A"
    assert html.by_id(body, f"id_headers-{MAX_EXTRA_HEADERS}-name") is not None
    assert html.by_id(body, f"id_headers-{MAX_EXTRA_HEADERS + 1}-name") is None
    data = _form(auth_type="headers", **{**secret_headers(("X-A", "1")), "auth_headers-TOTAL_FORMS": count})
    body = _post(admin_client, organization, data, htmx).content.decode()
    assert f"Add at most {MAX_SECRET_HEADERS} secret headers." in body
    data = _form(org_specific="on", **{"organizations-TOTAL_FORMS": count})
    body = _post(admin_client, organization, data, htmx).content.decode()
    assert f"Add at most {MAX_ORGANIZATION_ROWS} organizations." in body
    assert not Credential.objects.exists()


def test_a_restart_with_an_unreadable_count_redraws(admin_client, organization) -> None:
    for action in ("add_header", "remove_header:0", "refresh"):
        response = _post(admin_client, organization, _form(**{"headers-TOTAL_FORMS": "²"}, _action=action), True)
        assert response.status_code == 200
        assert html.value(response.content.decode(), "id_name") == "Rows"


def test_rows_past_the_posted_count_are_not_read(admin_client, organization) -> None:
    data = _form(**formset("headers", [{"name": "X-Counted", "value": "1"}]), **{"headers-1-name": "X-Extra"})
    assert _post(admin_client, organization, data, False).status_code == 302
    assert Credential.objects.get().extra_headers == [["X-Counted", "1"]]


def test_a_form_posted_without_rows_has_none(admin_client, organization) -> None:
    # A script posting the plain fields: no management form, no rows, nothing to complain about.
    assert _post(admin_client, organization, _form(), False).status_code == 302
    assert Credential.objects.get().extra_headers == []


# The API's rows ------------------------------------------------------------------------------------

BODY = {"name": "Rows", "base_url": "https://rows.example.com", "auth_type": "basic"}
BASIC_AUTH = {"username": "u", "password": "p"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"auth": BASIC_AUTH, "extra_headers": [{"name": "X-A", "value": "1"}, {"name": "bad name", "value": "2"}]},
            "extra_headers[1].name",
            "Enter a valid header name",
        ),
        (
            {"auth": BASIC_AUTH, "extra_headers": [{"name": "X-A", "value": "1"}, {"name": "x-a", "value": "2"}]},
            "extra_headers[1].name",
            "This header is already listed.",
        ),
        (
            {"auth_type": "headers", "auth": {"headers": [{"key": "X-A", "value": "1"}, {"key": "X-B"}]}},
            "auth.headers[1].value",
            "Enter the Value for X-B.",
        ),
        (
            {"auth_type": "headers", "auth": {"headers": [{"key": "X-A", "value": "1"}, "X-B"]}},
            "auth.headers[1].key",
            "Enter a header name.",
        ),
        (
            {
                "org_specific": True,
                "organization_credentials": [
                    {"organization": "acme-east", "auth": BASIC_AUTH},
                    {"organization": "acme-east", "auth": BASIC_AUTH},
                ],
            },
            "organization_credentials[1].organization",
            "This organization already has a row.",
        ),
        (
            {
                "org_specific": True,
                "organization_credentials": [{"organization": "acme-east", "auth": {"username": "u"}}],
            },
            "organization_credentials[0].password",
            "Enter the Password.",
        ),
        (
            {"auth": BASIC_AUTH, "extra_headers": [{"name": "X-A", "value": "1"}, {"value": "2"}]},
            "extra_headers[1].name",
            "Enter a header name.",
        ),
        (
            {"auth": BASIC_AUTH, "extra_headers": [{"name": f"X-{i}", "value": "v"} for i in range(51)]},
            "non_field_errors",
            f"Add at most {MAX_EXTRA_HEADERS} headers.",
        ),
    ],
)
def test_api_rows_answer_400_naming_the_field(admin_key, body, field, message) -> None:
    response = api("post", "credentials", admin_key, {**BODY, **body})
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors, errors
    assert message in errors[field][0]
    row = field.rsplit(".", 1)[0]
    assert all(name.startswith(row) for name in errors), errors  # the other rows are fine
    assert not Credential.objects.exists()


def test_api_patch_keeps_the_stored_rows_when_left_out(admin_key, organization) -> None:
    body = {
        **BODY,
        "auth_type": "headers",
        "auth": {"headers": [{"key": "X-One", "value": "one"}, {"key": "X-Two", "value": "two"}]},
        "extra_headers": [{"name": "X-Team", "value": "ops"}],
    }
    created = api("post", "credentials", admin_key, body)
    assert created.status_code == 201, created.content
    response = api("patch", f"credentials/{created.json()['id']}", admin_key, {"description": "Kept rows"})
    assert response.status_code == 200, response.content
    credential = Credential.objects.get()
    assert credential.description == "Kept rows"
    assert credential.extra_headers == [["X-Team", "ops"]]
    assert credential.secrets.reveal() == {"X-One": "one", "X-Two": "two"}


def test_api_patch_audits_the_fields_it_changed(admin_key, basic_credential) -> None:
    response = api("patch", f"credentials/{basic_credential.pk}", admin_key, {"name": "Renamed", "is_test": False})
    assert response.status_code == 200, response.content
    event = AuditEvent.objects.get(action="credential.edited")
    assert event.details["changed"] == ["name"]
