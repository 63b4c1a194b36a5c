"""In Chromium: a new data source through the Authenticate screen, a connection's page (Change credential,
Rename, Delete), and Test connection from the tile menu."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from werkzeug import Response

from credentials.models import AuditEvent, Connection, Credential
from tests.browser.conftest import status_message
from tests.browser.test_accessibility import assert_accessible

LIST = "/o/acme/connections/"


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    """These tests talk to servers on loopback, with production credentials, however the suite is started."""
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


def test_new_data_source_with_a_credential_added_on_the_way(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto("/o/acme/connections/")
    page.get_by_role("link", name="New data source").click()
    page.get_by_role("link", name="Kissmetrics").click()
    expect(page.get_by_role("heading", name="New data source: Kissmetrics")).to_be_visible()

    page.get_by_role("link", name="Add Credential").click()
    dialog = page.get_by_role("dialog", name="Add New Credential – Kissmetrics")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("group", name="Basic Authentication")).to_be_visible()
    expect(dialog.get_by_label("Base URL")).to_have_value("https://api.kissmetrics.io")
    dialog.get_by_label("Credential Name").fill("Kissmetrics web")
    dialog.get_by_label("Username").fill("km-user")
    dialog.get_by_label("Password").fill("km-pass-secret")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()

    tile = page.get_by_role("radio", name="Kissmetrics web")
    expect(tile).to_be_checked()
    expect(tile).to_be_focused()
    choices = page.get_by_role("group", name="Choose a Kissmetrics credential")
    expect(choices.get_by_role("status")).to_have_text("Credential “Kissmetrics web” added and selected.")
    assert "km-pass-secret" not in page.content()

    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Name").fill("Web events")
    page.get_by_role("button", name="Create").click()

    expect(status_message(page, "Data source “Web events” created.")).to_be_visible()
    row = page.get_by_role("row", name="Web events")
    expect(row).to_contain_text("Kissmetrics web")
    expect(row).to_contain_text("Active")
    assert Connection.objects.get().credential.name == "Kissmetrics web"


def test_deleted_credential_revokes_and_reauthenticate_restores(admin_page: Page, organization) -> None:
    page = admin_page
    old = Credential.objects.create(
        organization=organization, connector="kimp360", name="Kimp old", base_url="https://api.kimp360.com"
    )
    Credential.objects.create(
        organization=organization, connector="kimp360", name="Kimp new", base_url="https://api.kimp360.com"
    )
    Connection.objects.create(
        organization=organization, kind="destination", connector="kimp360", name="Designs", credential=old
    )
    page.goto("/o/acme/settings/integrations/credentials/")
    page.get_by_role("button", name="More options for Kimp old").click()
    page.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Designs")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()

    page.get_by_role("link", name="Data sources and destinations").click()
    row = page.get_by_role("row", name="Designs")
    expect(row).to_contain_text("Revoked")
    expect(row).to_contain_text("Credential “Kimp old” was deleted.")
    row.get_by_role("link", name="Re-authenticate Designs").click()
    page.get_by_role("radio", name="Kimp new").check()
    page.get_by_role("button", name="Re-authenticate").click()
    row = page.get_by_role("row", name="Designs")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("Kimp new")


def test_test_connection_reports_success_then_401(admin_page: Page, organization, httpserver) -> None:
    page = admin_page
    Credential.objects.create(
        organization=organization,
        name="Local API",
        base_url=httpserver.url_for("/api"),
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": "tok-secret"},
    )
    httpserver.expect_oneshot_request("/api", headers={"Authorization": "Bearer tok-secret"}).respond_with_data("ok")
    page.goto("/o/acme/settings/integrations/credentials/")
    tile = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Local API"))
    last_used = tile.get_by_role("definition").filter(has_text="Never")
    expect(last_used).to_have_count(1)
    tile.get_by_role("button", name="More options for Local API").click()
    tile.get_by_role("menuitem", name="Test connection").click()
    expect(tile.get_by_role("status")).to_contain_text("Connection works.")
    # The request used the credential: the tile says so without a reload.
    expect(tile.locator("[id$='-last-used']")).to_have_text("just now")
    expect(tile.locator("[id$='-last-test']")).to_have_text("Connected just now")
    expect(tile.get_by_role("button", name="More options for Local API")).to_be_focused()

    httpserver.expect_oneshot_request("/api").respond_with_response(Response(status=401))
    tile.get_by_role("button", name="More options for Local API").click()
    tile.get_by_role("menuitem", name="Test connection").click()
    expect(tile.get_by_role("alert")).to_contain_text("the credential is wrong, expired or revoked")
    expect(tile.locator("[id$='-last-test']")).to_have_text("Failed just now")
    assert "tok-secret" not in page.content()


def _no_sideways_scroll(page: Page) -> None:
    """Neither at 1440 px nor at 390 px does the page scroll sideways."""
    for width, height in ((1440, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        assert page.evaluate("document.documentElement.scrollWidth") <= width, width
    page.set_viewport_size({"width": 1440, "height": 900})


@pytest.fixture
def designs(organization) -> Connection:
    old = Credential.objects.create(
        organization=organization, connector="kimp360", name="Kimp old", base_url="https://api.kimp360.com"
    )
    Credential.objects.create(
        organization=organization, connector="kimp360", name="Kimp new", base_url="https://api.kimp360.com"
    )
    Connection.objects.create(
        organization=organization, kind="source", connector="kimp360", name="Assets", credential=old
    )
    return Connection.objects.create(
        organization=organization, kind="destination", connector="kimp360", name="Designs", credential=old
    )


def test_connection_page_change_credential_rename_and_delete(admin_page: Page, designs: Connection) -> None:
    page = admin_page
    page.goto(LIST)
    page.get_by_role("link", name="Designs", exact=True).click()
    expect(page.get_by_role("heading", level=1, name="Designs")).to_be_visible()
    facts = page.get_by_role("definition")
    expect(facts.filter(has_text="Data destination")).to_have_count(1)
    expect(facts.filter(has_text="Kimp360")).to_have_count(1)
    expect(facts.filter(has_text="Kimp old")).to_have_count(1)
    expect(page.locator("img[src$='/connectors/kimp360.svg']").first).to_be_visible()
    _no_sideways_scroll(page)
    assert_accessible(page)

    # Change credential: the Authenticate screen, the current credential chosen; back on the page after.
    page.get_by_role("link", name="Change credential").click()
    expect(page.get_by_role("heading", level=1, name="Change the credential of “Designs”")).to_be_visible()
    expect(page.get_by_role("radio", name="Kimp old")).to_be_checked()
    _no_sideways_scroll(page)
    page.get_by_role("radio", name="Kimp new").check()
    page.get_by_role("button", name="Change credential").click()
    status = status_message(page, "“Designs” now authenticates with “Kimp new”.")
    expect(status).to_be_focused()
    expect(facts.filter(has_text="Kimp new")).to_have_count(1)
    assert AuditEvent.objects.filter(action="connection.credential_changed").count() == 1

    # Rename, with the message focused after.
    page.get_by_role("textbox", name="Name").fill("Design exports")
    page.get_by_role("button", name="Rename").click()
    expect(page.get_by_role("heading", level=1, name="Design exports")).to_be_visible()
    expect(status_message(page, "Renamed “Designs” to “Design exports”.")).to_be_focused()

    # Delete asks first; Escape keeps the connection and returns focus to Delete.
    delete = page.get_by_role("link", name="Delete")
    delete.click()
    confirm = page.get_by_role("alertdialog", name="Delete “Design exports”?")
    expect(confirm).to_contain_text("Its credential “Kimp new” is kept.")
    expect(confirm.get_by_role("link", name="Cancel")).to_be_focused()
    _no_sideways_scroll(page)
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(confirm).to_be_hidden()
    expect(delete).to_be_focused()
    assert Connection.objects.filter(pk=designs.pk).exists()

    delete.click()
    confirm.get_by_role("button", name="Delete").click()
    expect(page).to_have_url(f"{page.url.split('/o/')[0]}{LIST}")
    expect(status_message(page, "Data destination “Design exports” deleted.")).to_be_focused()
    expect(page.get_by_role("row", name="Design exports")).to_have_count(0)
    expect(page.get_by_role("row", name="Assets")).to_have_count(1)
    assert not Connection.objects.filter(pk=designs.pk).exists()
    assert AuditEvent.objects.filter(action="connection.deleted", target_id=str(designs.pk)).count() == 1


def test_without_javascript_delete_is_a_confirmation_page(no_js_page: Page, designs: Connection) -> None:
    page = no_js_page
    page.goto(f"/o/acme/connections/{designs.pk}/")
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", level=1, name="Delete “Designs”?")).to_be_visible()
    page.get_by_role("button", name="Delete").click()
    expect(status_message(page, "Data destination “Designs” deleted.")).to_be_visible()
    assert not Connection.objects.filter(pk=designs.pk).exists()
