"""Settings > Audit log: Organization Admins read their organization's events, filtered and paginated."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from credentials import audit, catalog
from credentials.forms.access_keys import default_expiry
from credentials.models import AuditEvent
from tests.clients import TOKEN_SECRET, api, assert_no_key_in

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
    # The actor menu offers this organization's members, never another organization's.
    assert "globex-admin" not in admin_client.get(URL).content.decode()


def _link(html: str, words: str) -> str | None:
    match = re.search(r'<a class="button" href="\?([^"]*)"[^>]*>' + words + "</a>", html)
    return match.group(1).replace("&amp;", "&") if match else None


def test_pagination_keeps_the_filter_and_reaches_the_oldest_event(admin_client, organization, admin_user) -> None:
    for n in range(120):
        audit.record("credential.renamed", organization=organization, actor=admin_user, old_name=f"Old {n}")
    audit.record("credential.deleted", organization=organization, actor=admin_user)
    first = admin_client.get(URL, {"action": "credential.renamed"}).content.decode()
    assert len(_rows(first)) == 50 and "120 events match the filter." in first
    assert _link(first, "Newer events") is None
    second = admin_client.get(f"{URL}?{_link(first, 'Older events')}").content.decode()
    assert len(_rows(second)) == 50 and "Old 69<" in _rows(second)[0]
    last = admin_client.get(f"{URL}?{_link(second, 'Older events')}").content.decode()
    rows = _rows(last)
    assert len(rows) == 20 and "Old 0<" in rows[-1] and "Deleted credential" not in "".join(rows)
    assert _link(last, "Older events") is None
    assert "action=credential.renamed" in _link(last, "Newest events")
    # Back one page from the last: the same page as the second, the filter still applied.
    back = admin_client.get(f"{URL}?{_link(last, 'Newer events')}").content.decode()
    assert _rows(back) == _rows(second)


def test_a_tampered_page_position_shows_the_first_page(admin_client, events) -> None:
    for position in ("after=nonsense", "before=WyJ4Il0", "after=WyIyMDI2LTEzIiwiMSJd"):
        response = admin_client.get(f"{URL}?{position}")
        assert response.status_code == 200 and len(_rows(response.content.decode())) == 3


def test_the_menus_offer_every_action_and_the_members(admin_client, events, member_user) -> None:
    html = admin_client.get(URL).content.decode()
    assert '<option value="connection.deleted">Deleted connection</option>' in html
    assert '<option value="acme-member">acme-member</option>' in html
    assert "globex-admin" not in html


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


# Audit events carry no secret --------------------------------------------------------------------


def test_audit_events_never_carry_a_secret(admin_client, admin_key, organization, basic_credential) -> None:
    slug = organization.slug
    admin_client.post(
        reverse("credential_edit", args=[slug, basic_credential.pk]),
        {
            "name": "Billing API",
            "base_url": "https://billing.example.com",
            "content_type": "application/json",
            "auth_type": catalog.BASIC,
            "auth_username": "billing-user",
            "auth_password": TOKEN_SECRET + "-browser",
        },
    )
    body = {"name": "Tokens", "base_url": "https://t.example", "auth_type": catalog.BEARER}
    created = api("post", "credentials", admin_key, {**body, "auth": {"key": "Authorization", "value": TOKEN_SECRET}})
    assert created.status_code == 201
    api("patch", f"credentials/{created.json()['id']}", admin_key, {"auth": {"value": TOKEN_SECRET + "-new"}})
    admin_client.post(
        reverse("access_key_create", args=[slug]), {"name": "CI 2", "expiry": default_expiry(organization)}
    )
    admin_client.post(reverse("api_key_create", args=[slug]), {"name": "Zapier"})
    events = AuditEvent.objects.filter(organization=organization)
    assert {"credential.edited", "credential.created", "access_key.created", "api_key.created"} <= set(
        events.values_list("action", flat=True)
    )
    for event in events:
        stored = json.dumps([event.details, event.target_label, event.actor])
        assert TOKEN_SECRET not in stored and admin_key[1] not in stored
        assert_no_key_in(stored)


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
