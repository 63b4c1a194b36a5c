"""Test connection from the tile menu and from manage.py, against real loopback servers; the connector overlays."""

from __future__ import annotations

import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Response

from credentials.models import AuditEvent, Credential, OrganizationCredential
from tests.formsets import secret_headers

LIST = "/o/acme/settings/integrations/credentials/"
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    """These tests talk to servers on loopback, with production credentials, however the suite is started."""
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


@pytest.fixture
def local_credential(organization, httpserver) -> Credential:
    return Credential.objects.create(
        organization=organization,
        name="Local API",
        base_url=httpserver.url_for("/api"),
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": "tok-very-secret"},
    )


# The tile menu ------------------------------------------------------------------------------------


def test_tile_menu_has_test_connection_between_edit_and_delete(admin_client, local_credential) -> None:
    html = admin_client.get(LIST).content.decode()
    menu = html.split(f'id="menu-{local_credential.pk}"')[1].split("</ul>")[0]
    items = re.findall(r">(Rename|Edit|Test connection|Delete)</", menu)
    assert items == ["Rename", "Edit", "Test connection", "Delete"]
    assert f'hx-post="{LIST}{local_credential.pk}/test/"' in menu
    assert f'id="credential-{local_credential.pk}-test"' in html


def test_success_is_a_status(admin_client, local_credential, httpserver) -> None:
    httpserver.expect_request("/api", headers={"Authorization": "Bearer tok-very-secret"}).respond_with_data("ok")
    response = admin_client.post(f"{LIST}{local_credential.pk}/test/", headers=HTMX)
    html = response.content.decode()
    assert 'role="status"' in html and 'role="alert"' not in html
    assert "Connection works." in html and "answered 200" in html
    assert "tok-very-secret" not in html
    local_credential.refresh_from_db()
    assert local_credential.last_used_at is not None
    event = AuditEvent.objects.get(action="credential.tested")
    assert event.details["outcomes"] == [{"organization": None, "outcome": "success"}]


def test_401_is_an_alert_in_words(admin_client, local_credential, httpserver) -> None:
    httpserver.expect_request("/api").respond_with_response(Response(status=401))
    html = admin_client.post(f"{LIST}{local_credential.pk}/test/", headers=HTMX).content.decode()
    assert 'role="alert"' in html
    assert "Connection failed." in html
    assert "401 Unauthorized: the credential is wrong, expired or revoked." in html


def test_without_javascript_the_result_is_a_page(admin_client, local_credential, httpserver) -> None:
    httpserver.expect_request("/api").respond_with_response(Response(status=403))
    response = admin_client.post(f"{LIST}{local_credential.pk}/test/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Test connection: Local API</h1>" in html
    assert "403 Forbidden: the credential is valid but not allowed" in html


def test_org_specific_tests_each_organization_or_the_one_chosen(admin_client, organization, httpserver) -> None:
    httpserver.expect_request("/", headers={"Authorization": "Bearer east"}).respond_with_data("ok")
    httpserver.expect_request("/", headers={"Authorization": "Bearer west"}).respond_with_response(Response(status=401))
    credential = Credential.objects.create(
        organization=organization, name="Regional", base_url=httpserver.url_for("/"), auth_type="bearer",
        auth_settings={"key": "Authorization"}, org_specific=True,
    )  # fmt: skip
    for slug, token in (("acme-east", "east"), ("acme-west", "west")):
        OrganizationCredential.objects.create(
            credential=credential, organization=organization.children.get(slug=slug), secrets={"value": token}
        )
    html = admin_client.post(f"{LIST}{credential.pk}/test/", headers=HTMX).content.decode()
    assert 'role="alert"' in html
    assert re.search(r"OK</span> Acme East: Connected", html)
    assert re.search(r"Failed</span> Acme West: .*401 Unauthorized", html)
    page = admin_client.get(f"{LIST}{credential.pk}/test/").content.decode()
    assert '<option value="acme-west">Acme West</option>' in page
    html = admin_client.post(f"{LIST}{credential.pk}/test/", {"organization": "acme-east"}, headers=HTMX).content
    assert b'role="status"' in html and b"Acme West" not in html


def test_the_gate_guards_test_connection(member_client, outsider_client, local_credential) -> None:
    assert member_client.post(f"{LIST}{local_credential.pk}/test/").status_code == 403
    assert outsider_client.post(f"{LIST}{local_credential.pk}/test/").status_code == 404


# manage.py test_credential --------------------------------------------------------------------------


def run(*args: str) -> tuple[str, int]:
    out = StringIO()
    try:
        call_command("test_credential", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error.returncode
    return out.getvalue(), 0


def test_command_success_by_name(local_credential, httpserver) -> None:
    httpserver.expect_request("/api").respond_with_data("ok")
    output, code = run("acme", "local api")
    assert code == 0
    assert output.startswith("OK Connected:")


def test_command_failure_by_id_as_json(local_credential, httpserver) -> None:
    httpserver.expect_request("/api").respond_with_response(Response(status=401))
    output, code = run("acme", str(local_credential.pk), "--json")
    assert code == 1
    payload = json.loads(output)
    assert payload["ok"] is False
    assert payload["results"][0]["outcome"] == "unauthorized"
    assert payload["results"][0]["status_code"] == 401
    assert "tok-very-secret" not in output


def test_command_not_found_exits_1_and_bad_arguments_exit_2(local_credential, other_organization) -> None:
    assert run("nope", "Local API")[1] == 1
    assert run("acme", "Missing")[1] == 1
    assert run("globex", "Local API")[1] == 1  # another organization's credential is not found
    assert run("acme", "Local API", "--organization", "acme-east")[1] == 2  # not org-specific


def test_command_org_specific_with_organization(organization, httpserver) -> None:
    httpserver.expect_request("/").respond_with_data("ok")
    credential = Credential.objects.create(
        organization=organization, name="Regional", base_url=httpserver.url_for("/"), auth_type="bearer",
        auth_settings={"key": "Authorization"}, org_specific=True,
    )  # fmt: skip
    east = organization.children.get(slug="acme-east")
    OrganizationCredential.objects.create(credential=credential, organization=east, secrets={"value": "east"})
    output, code = run("acme", "Regional", "--organization", "acme-east", "--json")
    assert code == 0
    assert json.loads(output)["results"][0]["organization"] == "acme-east"
    assert run("acme", "Regional", "--organization", "acme-west")[1] == 2


# The connector catalog in the overlay ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("connector", "section", "labels", "base_url"),
    [
        ("kissmetrics", "Basic Authentication", ["Username", "Password"], "https://api.kissmetrics.io"),
        ("kimp360", "API Key", ["API Key"], "https://api.kimp360.com"),
        ("kismet", "Client credentials", ["Client ID", "Client Secret"], "https://api.kismethealth.com"),
        ("kissflow", "Access key", ["Access Key ID", "Access Key Secret"], "https://acme.test"),
    ],
)
def test_overlay_shows_each_connectors_fields(admin_client, connector, section, labels, base_url) -> None:
    html = admin_client.get(f"{LIST}new/?connector={connector}", headers=HTMX).content.decode()
    assert f"<legend>{section}</legend>" in html
    for label in labels:
        assert re.search(rf'<label for="[^"]+">{label}</label>', html), label
    assert f'value="{base_url}"' in html
    assert 'name="auth_type" value="' in html  # one type only: no select
    assert 'id="id_auth_type"' not in html


def test_kimp360_credential_saves_its_fixed_header(admin_client) -> None:
    data = {
        "connector": "kimp360", "name": "Kimp", "base_url": "https://api.kimp360.com",
        "content_type": "application/json", "auth_type": "headers",
        **secret_headers(("x-api-key", "kimp-secret")), "_action": "save",
    }  # fmt: skip
    admin_client.post(f"{LIST}new/", data)
    credential = Credential.objects.get(name="Kimp")
    assert credential.auth_settings == {"header_names": ["x-api-key"]}
    assert credential.secrets.reveal() == {"x-api-key": "kimp-secret"}


def test_a_test_credential_in_production_is_not_tested(admin_client, local_credential, httpserver, settings) -> None:
    settings.CREDHUB_ENVIRONMENT = "production"
    local_credential.is_test = True
    local_credential.save()
    html = admin_client.post(f"{LIST}{local_credential.pk}/test/", headers=HTMX).content.decode()
    # Nothing failed: credhub declined to send. Said as information, not styled or announced as a failure.
    assert 'class="test-result neutral" role="status"' in html
    assert "Not tested." in html
    assert "test credentials are used only in the test environment" in html
    assert httpserver.log == []
