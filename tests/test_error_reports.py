"""Django's 500 error report (mailed to ADMINS with DEBUG off) never carries a secret, and a value a header
cannot carry is a test result, not a 500."""

from __future__ import annotations

import json
import sys

import pytest
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.test import Client, override_settings
from django.urls import reverse
from django.views.debug import ExceptionReporter

from credentials import audit, catalog, keys
from credentials.forms.access_keys import default_expiry
from credentials.forms.credentials import CredentialDraft
from tests.clients import HTMX, TOKEN_SECRET, access_headers, api, assert_no_key_in
from tests.factories import make_credential


@pytest.fixture
def error_reports():
    """The 500 error report Django mails to ADMINS, built from every request exception."""
    reports: list[str] = []

    def report(sender, request, **kwargs) -> None:
        reporter = ExceptionReporter(request, *sys.exc_info())
        reports.append(reporter.get_traceback_text() + reporter.get_traceback_html())

    got_request_exception.connect(report)
    yield reports
    got_request_exception.disconnect(report)


@pytest.fixture
def audit_fails(monkeypatch):
    """The database fails while the audit event is written: after a secret exists, before it is answered."""

    def record(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(audit, "record", record)


def _raise_500(client: Client, method: str, *args, **kwargs):
    client.raise_request_exception = False
    response = getattr(client, method)(*args, **kwargs)
    assert response.status_code == 500
    return response


@override_settings(DEBUG=False)
def test_new_key_secrets_stay_out_of_the_error_report(
    admin_client, admin_user, organization, error_reports, audit_fails
) -> None:
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    slug = organization.slug
    _raise_500(
        admin_client,
        "post",
        reverse("access_key_create", args=[slug]),
        {"name": "CI", "expiry": default_expiry(organization)},
    )
    _raise_500(admin_client, "post", reverse("api_key_create", args=[slug]), {"name": "Zapier 2"})
    _raise_500(admin_client, "post", reverse("api_key_regenerate", args=[slug, api_key.pk]))
    assert len(error_reports) == 3
    for report in error_reports:
        assert "DatabaseError" in report
        assert_no_key_in(report)


@override_settings(DEBUG=False)
def test_credential_secrets_stay_out_of_the_error_report(
    admin_client, organization, admin_key, basic_credential, error_reports, audit_fails
) -> None:
    bearer = {
        "name": "Tokens",
        "base_url": "https://tokens.example.com",
        "content_type": "application/json",
        "auth_type": catalog.BEARER,
    }
    _raise_500(
        admin_client,
        "post",
        reverse("credential_create", args=[organization.slug]),
        {**bearer, "auth_key": "Authorization", "auth_value": TOKEN_SECRET},
    )
    client = Client(raise_request_exception=False)
    body = {**bearer, "name": "Tokens 2", "auth": {"key": "Authorization", "value": TOKEN_SECRET}}
    assert api("post", "credentials", admin_key, body).status_code == 500
    patch = {"auth": {"username": "billing-user", "password": TOKEN_SECRET}}
    response = client.patch(
        f"/api/v1/credentials/{basic_credential.pk}",
        data=json.dumps(patch),
        content_type="application/json",
        headers=access_headers(admin_key),
    )
    assert response.status_code == 500
    assert len(error_reports) == 3
    for report in error_reports:
        assert "DatabaseError" in report
        assert TOKEN_SECRET not in report
        assert admin_key[1] not in report  # nor the calling key's secret


@override_settings(DEBUG=False)
def test_posted_secrets_stay_out_of_the_error_report_when_the_form_fails_early(
    admin_client, organization, basic_credential, error_reports, monkeypatch
) -> None:
    def database_fails(self):
        raise DatabaseError("the database went away")

    # Reading the stored organization rows is the form's first query, before any secret is judged.
    monkeypatch.setattr(CredentialDraft, "_stored_organization_slugs", database_fails)
    form = {
        "name": "Billing API",
        "base_url": "https://billing.example.com",
        "content_type": "application/json",
        "auth_type": catalog.BASIC,
        "auth_username": "billing-user",
        "auth_password": TOKEN_SECRET,
    }
    slug = organization.slug
    _raise_500(admin_client, "post", reverse("credential_edit", args=[slug, basic_credential.pk]), form)
    _raise_500(admin_client, "post", reverse("credential_create", args=[slug]), {**form, "name": "Another"})
    assert len(error_reports) == 2
    for report in error_reports:
        assert "DatabaseError" in report
        assert TOKEN_SECRET not in report


def test_a_stored_value_a_header_cannot_carry_is_a_test_result_not_a_500(
    admin_client, organization, httpserver, settings, error_reports
) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"
    # Saved before the form refused such values (or by an operator): Test connection still fails closed.
    credential = make_credential(
        organization,
        "Old token",
        base_url=httpserver.url_for("/api"),
        auth_type=catalog.BEARER,
        auth_settings={"key": "Authorization"},
        secrets={"value": "€" + TOKEN_SECRET},
    )
    admin_client.raise_request_exception = False
    response = admin_client.post(reverse("credential_test", args=[organization.slug, credential.pk]), **HTMX)
    assert response.status_code == 200
    assert "Connection failed." in response.content.decode() or "Not tested." in response.content.decode()
    assert TOKEN_SECRET not in response.content.decode()
    assert not error_reports
