"""Settings > Audit log: Organization Admins read their organization's events, filtered and paginated."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from credentials import audit
from credentials.models import AuditEvent

URL = reverse("audit_log", args=["acme"])


def _rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)


@pytest.fixture
def events(organization, other_organization, admin_user, outsider_user):
    audit.record("credential.created", organization=organization, actor=admin_user, target=None, connector="kimp360")
    audit.record("access_key.revoked", organization=organization, actor=audit.OPERATOR, revoked_connections=["CRM"])
    audit.record(
        "organization.policy_changed",
        organization=organization,
        actor="ops",
        changes={"api_key_policy": ["enabled", "deprecated"]},
    )
    audit.record("credential.created", organization=other_organization, actor=outsider_user, name="Globex secret-ish")


def test_member_gets_403_outsider_404_anonymous_signs_in(client, member_client, outsider_client, organization) -> None:
    assert member_client.get(URL).status_code == 403
    assert outsider_client.get(URL).status_code == 404
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_admin_sees_their_organizations_events_in_words(admin_client, events) -> None:
    response = admin_client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-current="page">Audit log</a>' in html
    rows = _rows(html)
    assert len(rows) == 3
    assert "Changed a policy" in rows[0] and "API key policy" in rows[0] and "enabled → deprecated" in rows[0]
    assert "Revoked access key" in rows[1] and "operator (manage.py)" in rows[1] and "CRM" in rows[1]
    assert "Created credential" in rows[2] and "acme-admin" in rows[2]
    assert "Globex" not in html and "globex-admin" not in html
    assert "3 events." in html


def test_filter_by_action_and_actor_is_kept_in_the_url(admin_client, events) -> None:
    html = admin_client.get(URL, {"action": "credential.created"}).content.decode()
    rows = _rows(html)
    assert len(rows) == 1 and "Created credential" in rows[0]
    assert '<option value="credential.created" selected>Created credential</option>' in html
    assert "1 event matches the filter." in html

    html = admin_client.get(URL, {"actor": "operator (manage.py)"}).content.decode()
    assert len(_rows(html)) == 1 and "Revoked access key" in _rows(html)[0]

    html = admin_client.get(URL, {"actor": "acme-admin", "action": "access_key.revoked"}).content.decode()
    assert _rows(html) == [] and "No events match the filter." in html
    # The filters only offer what this organization's log holds.
    assert "globex-admin" not in admin_client.get(URL).content.decode()


def test_pagination_keeps_the_filter(admin_client, organization, admin_user) -> None:
    for n in range(120):
        audit.record("credential.renamed", organization=organization, actor=admin_user, old_name=f"Old {n}")
    audit.record("credential.deleted", organization=organization, actor=admin_user)
    first = admin_client.get(URL, {"action": "credential.renamed"}).content.decode()
    assert len(_rows(first)) == 50 and "Page 1 of 3" in first
    assert 'href="?action=credential.renamed&amp;page=2"' in first
    last = admin_client.get(URL, {"action": "credential.renamed", "page": 3}).content.decode()
    rows = _rows(last)
    assert len(rows) == 20 and "Old 0<" in rows[-1] and "Deleted credential" not in "".join(rows)
    assert 'href="?action=credential.renamed&amp;page=2"' in last


def test_htmx_gets_only_the_results(admin_client, events) -> None:
    response = admin_client.get(URL, {"action": "credential.created"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="audit-results"')
    assert "<html" not in html and len(_rows(html)) == 1


def test_a_rename_in_the_credentials_tab_appears_with_its_address(admin_client, basic_credential) -> None:
    admin_client.post(
        reverse("credential_rename", args=["acme", basic_credential.pk]), {"name": "Billing v2"}, REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get(action="credential.renamed")
    assert event.address == "10.1.2.3"
    row = _rows(admin_client.get(URL).content.decode())[0]
    assert "Renamed credential" in row and "Billing v2" in row and "10.1.2.3" in row and "Billing API" in row
    assert "s3cret-basic-password" not in row


def test_unknown_actions_are_spelled_out() -> None:
    assert audit.describe("api_key.frobbed") == "Api key frobbed"
    assert audit.describe("credential.renamed") == "Renamed credential"


def test_details_read_as_words_with_dates_and_a_way_back_from_a_filter(admin_client, organization, admin_user) -> None:
    audit.record(
        "credential.tested",
        organization=organization,
        actor=admin_user,
        outcomes=[{"organization": None, "outcome": "wrong_environment"}],
    )
    audit.record("connection.created", organization=organization, actor=admin_user, kind="source")
    audit.record(
        "access_key.expired", organization=organization, actor=admin_user, previous_expiry="2027-01-01T14:35:28+00:00"
    )
    html = admin_client.get(URL).content.decode()
    assert "not tested: wrong environment" in html and "wrong_environment" not in html
    assert "<dd>data source</dd>" in html
    assert "1 Jan 2027, 14:35 UTC" in html and "2027-01-01T14:35" not in html
    assert "Clear filters" not in html
    filtered = admin_client.get(URL, {"action": "connection.created"}).content.decode()
    assert f'<a class="clear-filters" href="{URL}">Clear filters</a>' in filtered
