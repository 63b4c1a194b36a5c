"""In Chromium, at desktop width and at 390 px: paging and searching every list screen, the page and the
search kept in the URL; and the same links and forms without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from credentials import keys
from credentials.models import AccessKey, AuditEvent, Connection, Credential
from tests.browser.conftest import status_message

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(WIDTHS))
def wide_page(request, admin_page: Page) -> Page:
    admin_page.set_viewport_size(WIDTHS[request.param])
    return admin_page


def _access_keys(organization, user, count: int) -> None:
    AccessKey.objects.bulk_create(
        AccessKey(
            organization=organization,
            owner=None if n % 10 == 0 else user,
            name=f"key {n:03d}",
            key_id=keys.new_access_key_id(),
            secret_hash=f"{n:064x}",
            system_generated=n % 10 == 0,
        )
        for n in range(count)
    )


def _credentials(organization, count: int) -> None:
    Credential.objects.bulk_create(
        Credential(organization=organization, name=f"Credential {n:03d}", base_url="https://api.example.com")
        for n in range(count)
    )


def test_page_and_search_access_keys(wide_page: Page, organization, admin_user) -> None:
    _access_keys(organization, admin_user, 50)
    page = wide_page
    page.goto("/o/acme/settings/api-authentication/")
    rows = page.locator("#access-key-results tbody tr")
    expect(rows).to_have_count(20)
    expect(rows.first).to_contain_text("key 001")
    page.get_by_role("link", name="Next page").click()
    expect(rows.first).to_contain_text("key 023")
    expect(page).to_have_url(re.compile(r"after="))
    page.get_by_role("link", name="Next page").click()
    expect(rows.last).to_contain_text("key 049")  # 45 keys without the system-generated ones
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="First page").click()
    expect(rows.first).to_contain_text("key 001")

    search = page.get_by_role("searchbox", name="Search access keys")
    search.fill("key 03")
    expect(rows).to_have_count(9)
    expect(status_message(page, "9 access keys match “key 03”.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=key(\+|%20)03"))
    expect(search).to_be_focused()  # only the results were swapped
    # Show system-generated keeps working with the search and the paging.
    page.get_by_label("Show system-generated").check()
    expect(rows).to_have_count(10)
    expect(rows.first).to_contain_text("key 030")
    expect(page).to_have_url(re.compile(r"system=1"))
    page.reload()
    expect(search).to_have_value("key 03")
    expect(rows).to_have_count(10)


def test_page_and_filter_connections(wide_page: Page, organization, basic_credential) -> None:
    Connection.objects.bulk_create(
        Connection(
            organization=organization,
            kind="source",
            connector="http_api",
            name=f"Connection {n:03d}",
            credential=basic_credential,
            status="revoked" if n % 4 == 0 else "active",
        )
        for n in range(60)
    )
    page = wide_page
    page.goto("/o/acme/connections/")
    rows = page.locator("#connection-results tbody tr")
    expect(rows).to_have_count(25)
    page.get_by_role("link", name="Next page").click()
    expect(rows.first).to_contain_text("Connection 025")
    expect(page).to_have_url(re.compile(r"page=2"))
    page.get_by_role("link", name="Next page").click()
    expect(rows).to_have_count(10)
    expect(rows.last).to_contain_text("Connection 059")
    page.get_by_role("link", name="Previous page").click()
    expect(rows.first).to_contain_text("Connection 025")

    page.get_by_label("Status").select_option(label="Revoked")
    expect(rows).to_have_count(15)
    expect(status_message(page, "15 connections match the filter.")).to_be_visible()
    page.get_by_role("searchbox", name="Search connections by name").fill("Connection 04")
    expect(rows).to_have_count(3)  # 040, 044, 048
    expect(page).to_have_url(re.compile(r"status=revoked.*q=Connection|q=Connection.*status=revoked"))
    page.reload()
    expect(rows).to_have_count(3)
    expect(page.get_by_label("Status")).to_have_value("revoked")


def test_page_and_search_the_authenticate_screen(wide_page: Page, organization) -> None:
    _credentials(organization, 30)
    page = wide_page
    page.goto("/o/acme/connections/new/source/http_api/")
    tiles = page.locator("#credential-choices .choice-tiles input[type=radio]")
    expect(tiles).to_have_count(18)
    page.get_by_role("link", name="More credentials").click()
    expect(tiles).to_have_count(12)
    expect(page.get_by_role("radio", name=re.compile("Credential 029"))).to_be_visible()
    page.get_by_role("searchbox", name="Search HTTP API credentials by name").fill("Credential 01")
    expect(tiles).to_have_count(10)
    expect(status_message(page, "10 credentials match “Credential 01”.")).to_be_visible()
    page.get_by_role("radio", name=re.compile("Credential 013")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Authenticates with Credential 013")).to_be_visible()


def test_page_and_filter_the_audit_log(wide_page: Page, organization, admin_user) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization=organization,
            actor=admin_user.username,
            actor_user=admin_user,
            action="credential.edited" if n % 2 else "access_key.created",
            target_label=f"Target {n:03d}",
        )
        for n in range(120)
    )
    page = wide_page
    page.goto("/o/acme/settings/audit-log/")
    rows = page.locator("#audit-results tbody tr")
    expect(rows).to_have_count(50)
    expect(rows.first).to_contain_text("Target 119")
    page.get_by_role("link", name="Older events").click()
    expect(rows.first).to_contain_text("Target 069")
    page.get_by_role("link", name="Older events").click()
    expect(rows).to_have_count(20)
    expect(rows.last).to_contain_text("Target 000")
    page.get_by_role("link", name="Newer events").click()
    expect(rows.first).to_contain_text("Target 069")
    page.get_by_role("link", name="Newest events").click()
    expect(rows.first).to_contain_text("Target 119")

    page.get_by_label("Action").select_option(label="Edited credential")
    expect(status_message(page, "60 events match the filter.")).to_be_visible()
    page.get_by_role("link", name="Older events").click()
    expect(rows).to_have_count(10)
    expect(page).to_have_url(re.compile(r"action=credential\.edited.*after="))


def test_lists_page_and_search_without_javascript(no_js_page: Page, organization, admin_user) -> None:
    _access_keys(organization, admin_user, 30)
    _credentials(organization, 30)
    page = no_js_page
    page.goto("/o/acme/settings/api-authentication/")
    page.get_by_role("link", name="Next page").click()
    expect(page.locator("#access-key-results tbody tr")).to_have_count(7)
    page.get_by_role("searchbox", name="Search access keys").fill("key 02")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#access-key-results tbody tr")).to_have_count(9)
    expect(page).to_have_url(re.compile(r"q=key\+02"))

    page.goto("/o/acme/connections/new/source/http_api/")
    page.get_by_role("link", name="More credentials").click()
    expect(page.locator("#credential-choices input[type=radio]")).to_have_count(12)
    page.get_by_role("searchbox", name="Search HTTP API credentials by name").fill("Credential 02")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("#credential-choices input[type=radio]")).to_have_count(10)
