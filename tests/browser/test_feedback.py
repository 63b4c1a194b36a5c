"""In Chromium: where focus lands after each action, busy states, Copied, and Escape on what must not be lost."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect
from werkzeug import Response

from credentials import keys
from credentials.models import Connection, Credential

LIST = "/o/acme/settings/integrations/credentials/"
API_AUTH = "/o/acme/settings/api-authentication/"


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


def _credential(organization, name: str, base_url: str = "https://api.example.com") -> Credential:
    return Credential.objects.create(
        organization=organization,
        name=name,
        base_url=base_url,
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": "tok-secret"},
    )


def _menu(page: Page, name: str):
    return page.get_by_role("button", name=f"More options for {name}")


def test_delete_focuses_the_next_tile_without_scrolling(admin_page: Page, organization) -> None:
    for name in ("Alpha", "Bravo", "Charlie"):
        _credential(organization, name)
    page = admin_page
    page.goto(LIST)
    _menu(page, "Alpha").click()
    page.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("alertdialog", name="Delete “Alpha”?")
    expect(confirm.get_by_role("link", name="Cancel")).to_be_focused()
    scrolled = page.evaluate("window.scrollY")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(_menu(page, "Bravo")).to_be_focused()
    expect(page.locator("li.tile.changed")).to_have_count(1)  # briefly highlighted
    assert page.evaluate("window.scrollY") == scrolled
    # The last tile deleted: focus goes to the one before it.
    _menu(page, "Charlie").click()
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("alertdialog", name="Delete “Charlie”?").get_by_role("button", name="Delete").click()
    expect(_menu(page, "Bravo")).to_be_focused()


def test_edit_save_focuses_the_edited_tile(admin_page: Page, organization) -> None:
    _credential(organization, "Alpha")
    _credential(organization, "Bravo")
    page = admin_page
    page.goto(LIST)
    _menu(page, "Bravo").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name=re.compile("Edit Credential"))
    dialog.get_by_label("Description").fill("Nightly exports")
    dialog.get_by_role("button", name="Save").click()
    expect(dialog).to_be_hidden()
    expect(_menu(page, "Bravo")).to_be_focused()
    expect(page.locator("li.tile.changed")).to_contain_text("Nightly exports")


def test_test_connection_shows_it_is_busy_and_keeps_other_results(admin_page: Page, organization, httpserver) -> None:
    def slow(request):
        time.sleep(1.5)
        return Response("ok")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    _credential(organization, "Slow API", httpserver.url_for("/slow"))
    _credential(organization, "Zulu", "https://api.example.com")
    page = admin_page
    page.goto(LIST)
    tile = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Slow API"))
    _menu(page, "Slow API").click()
    page.get_by_role("menuitem", name="Test connection").click()
    # While the upstream thinks, the tile says so and its Test connection cannot be sent twice.
    expect(tile).to_have_attribute("aria-busy", "true")
    expect(tile).to_contain_text("Testing connection…")
    expect(tile.get_by_role("menuitem", name="Test connection", include_hidden=True)).to_be_disabled()
    expect(tile.get_by_role("status")).to_contain_text("Connection works.")
    expect(tile).not_to_have_attribute("aria-busy", "true")

    # Deleting another credential redraws the list; this tile's result stays.
    _menu(page, "Zulu").click()
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("alertdialog", name="Delete “Zulu”?").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Zulu")).to_have_count(0)
    expect(tile.locator(".test-result")).to_contain_text("Connection works.")


def test_copy_shows_copied(admin_page: Page, browser) -> None:
    page = admin_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(API_AUTH)
    copy = page.get_by_role("button", name="Copy Account ID")
    copy.click()
    expect(copy).to_have_text("Copied")
    expect(copy).to_have_text("Copy", timeout=5_000)


def test_escape_on_the_shown_once_secret_leads_to_the_alert(admin_page: Page) -> None:
    page = admin_page
    page.goto(API_AUTH)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    expect(dialog.get_by_role("button", name="Close")).to_be_visible()
    dialog.get_by_label("Name").fill("Deploys")
    dialog.get_by_role("button", name="Create access key").click()
    created = page.get_by_role("dialog", name="Access key “Deploys” created")
    expect(created).to_be_visible()
    page.keyboard.press("Escape")
    alert = page.get_by_role("alertdialog", name="Store your access key secret")
    expect(alert.get_by_role("button", name="Proceed")).to_be_focused()
    alert.get_by_role("button", name="Proceed").click()
    expect(alert).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile("Deploys"))).to_be_visible()
    assert page.evaluate("document.activeElement !== document.body && document.activeElement.id !== 'main'")


def test_show_debug_key_keeps_focus_and_page_still(admin_page: Page) -> None:
    page = admin_page
    page.goto(API_AUTH)
    page.get_by_role("button", name="Show").focus()
    scrolled = page.evaluate("window.scrollY")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Debug session key", exact=True)).to_be_focused()
    assert page.evaluate("window.scrollY") == scrolled


def test_rename_access_key_confirms_in_the_row(admin_page: Page, organization, admin_user) -> None:
    keys.create_access_key(organization, "Old name", owner=admin_user)
    page = admin_page
    page.goto(API_AUTH)
    _menu(page, "Old name").click()
    page.get_by_role("menuitem", name="Rename").click()
    field = page.get_by_role("textbox", name=re.compile("Name of access key"))
    expect(field).to_be_focused()
    field.fill("New name")
    field.press("Enter")
    row = page.get_by_role("row", name=re.compile("New name"))
    expect(row.get_by_role("status")).to_have_text("✓ Renamed to “New name”.")
    expect(_menu(page, "New name")).to_be_focused()


def test_hidden_system_keys_are_counted(admin_page: Page, organization) -> None:
    keys.create_access_key(organization, "Sync 1", system_generated=True)
    keys.create_access_key(organization, "Sync 2", system_generated=True)
    page = admin_page
    page.goto(API_AUTH)
    expect(page.locator("#access-keys")).to_contain_text("2 system-generated keys hidden")
    assert not Connection.objects.exists()
