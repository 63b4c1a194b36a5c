"""Settings > API authentication in a real browser, and the keys it issues used against the live API."""

from __future__ import annotations

import re
from datetime import timedelta

import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from credentials import keys
from credentials.models import AccessKey, APIKey, AuditEvent, Connection, Organization
from tests.browser.conftest import status_message

PAGE = "/o/acme/settings/api-authentication/"


def open_menu(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"More options for {name}").click()


def test_create_access_key_secret_shown_once_and_downloaded_env_works(admin_page: Page, live_server) -> None:
    page = admin_page
    page.goto(PAGE)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name", exact=True).fill("CI deploy")
    dialog.get_by_label("Expiry period").select_option(label="30 days")
    dialog.get_by_role("button", name="Create access key").click()

    created = page.get_by_role("dialog", name="Access key “CI deploy” created")
    expect(created).to_be_visible()
    key_id = created.get_by_label("Access key ID", exact=True).input_value()
    secret = created.get_by_label("Access key secret", exact=True).input_value()
    assert key_id.startswith("CHAK") and secret.startswith("chsk_")
    with page.expect_download() as download_info:
        created.get_by_role("button", name="Download credentials").click()
    download = download_info.value
    assert download.suggested_filename == f"credhub-{key_id}.env"
    with open(download.path(), encoding="utf-8") as env_file:
        env = dict(line.split("=", 1) for line in env_file.read().splitlines() if line)
    assert env == {"CREDHUB_CLIENT_ID": key_id, "CREDHUB_CLIENT_SECRET": secret}

    created.get_by_role("link", name="Done").click()
    alert = page.get_by_role("alertdialog", name="Store your access key secret")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("will not be shown again")
    expect(alert).to_contain_text("can perform the same operations as you")
    expect(alert.get_by_role("button", name="Proceed")).to_be_focused()  # Done no longer throws on its way here
    alert.get_by_role("button", name="Proceed").click()
    expect(alert).to_be_hidden()
    expect(page.get_by_role("row", name=re.compile("CI deploy"))).to_contain_text(key_id)
    assert secret not in page.content()
    page.reload()
    expect(page.get_by_role("row", name=re.compile("CI deploy"))).to_be_visible()
    assert secret not in page.content()

    response = requests.get(
        f"{live_server.url}/api/v1/account",
        headers={"X-Client-ID": env["CREDHUB_CLIENT_ID"], "X-Client-Secret": env["CREDHUB_CLIENT_SECRET"]},
        timeout=10,
    )
    assert response.status_code == 200
    assert response.json()["key"]["key_id"] == key_id and secret not in response.text


def test_show_system_generated_filter(admin_page: Page, admin_user, organization) -> None:
    keys.create_access_key(organization, "Alpha", owner=admin_user)
    keys.create_access_key(organization, "Zeta sync", system_generated=True)
    page = admin_page
    page.goto(PAGE)
    expect(page.get_by_role("row", name=re.compile("Alpha"))).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Zeta sync"))).to_have_count(0)
    page.get_by_label("Show system-generated").check()
    system_row = page.get_by_role("row", name=re.compile("Zeta sync"))
    expect(system_row).to_be_visible()
    expect(system_row).to_contain_text("System")
    expect(page).to_have_url(re.compile(r"[?&]system=1"))
    body_rows = page.locator("#access-keys tbody tr")
    expect(body_rows.first).to_contain_text("Zeta sync")
    page.reload()
    expect(page.get_by_label("Show system-generated")).to_be_checked()
    expect(page.get_by_role("row", name=re.compile("Zeta sync"))).to_be_visible()
    page.get_by_label("Show system-generated").uncheck()
    expect(page.get_by_role("row", name=re.compile("Zeta sync"))).to_have_count(0)


def test_rename_and_delete_an_access_key(admin_page: Page, admin_user, organization) -> None:
    access_key, _ = keys.create_access_key(organization, "CI", owner=admin_user)
    Connection.objects.create(
        organization=organization, kind="source", connector="http_api", name="Nightly import", access_key=access_key
    )
    page = admin_page
    page.goto(PAGE)
    open_menu(page, "CI")
    page.get_by_role("menuitem", name="Rename").click()
    page.get_by_label(f"Name of access key {access_key.key_id}").fill("Deploys")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("row", name=re.compile("Deploys"))).to_be_visible()

    open_menu(page, "Deploys")
    page.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("alertdialog", name="Delete access key “Deploys”?")
    expect(confirm).to_contain_text("Nightly import")
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(status_message(page, "Access key “Deploys” deleted.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Deploys"))).to_have_count(0)
    assert Connection.objects.get().status == "revoked"


def test_expiry_policy_sets_what_the_create_overlay_offers(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(PAGE)
    settings_section = page.locator("#expiry-settings")
    for days in (30, 60, 90, 180):
        settings_section.get_by_label(f"{days} days").uncheck()
    settings_section.get_by_label("Allow “No expiry”").check()
    settings_section.get_by_label("Default expiry period").select_option(label="No expiry")
    settings_section.get_by_role("button", name="Save expiry settings").click()
    expect(status_message(page, "Expiry settings saved.")).to_be_visible()
    organization.refresh_from_db()
    assert organization.access_key_expiry_periods == [7, 365] and organization.access_key_default_expiry is None

    page.get_by_role("link", name="Create access key").click()
    select = page.get_by_role("dialog", name="Create access key").get_by_label("Expiry period")
    expect(select.locator("option")).to_have_text(["7 days", "365 days", "No expiry"])
    expect(select).to_have_value("never")
    assert AuditEvent.objects.filter(action="access_key_policy.changed").exists()


def take_shown_api_key(page: Page, name: str) -> str:
    """A new API key is shown once in a dialog; Done leads to the alert that needs an answer."""
    shown = page.get_by_role("dialog", name=f"API key “{name}” ready")
    expect(shown).to_be_visible()
    value = shown.get_by_label("API key", exact=True).input_value()
    shown.get_by_role("link", name="Done").click()
    alert = page.get_by_role("alertdialog", name="Store your API key")
    expect(alert.get_by_role("button", name="Proceed")).to_be_focused()
    alert.get_by_role("button", name="Proceed").click()
    expect(alert).to_be_hidden()
    return value


def test_legacy_api_keys_when_enabled(admin_page: Page, live_server) -> None:
    page = admin_page
    page.goto(PAGE)
    section = page.locator("#api-keys")
    section.get_by_label("API key name").fill("Zapier")
    section.get_by_role("button", name="Generate API key").click()
    first = take_shown_api_key(page, "Zapier")
    assert first.startswith("chk_")
    url = f"{live_server.url}/api/v1/account"
    assert requests.get(url, headers={"x-api-key": first}, timeout=10).status_code == 200

    open_menu(page, "Zapier")
    page.get_by_role("menuitem", name="Regenerate").click()
    confirm = page.get_by_role("alertdialog", name="Regenerate API key “Zapier”?")
    confirm.get_by_role("button", name="Regenerate").click()
    second = take_shown_api_key(page, "Zapier")
    assert second != first
    assert requests.get(url, headers={"x-api-key": first}, timeout=10).status_code == 401
    assert requests.get(url, headers={"x-api-key": second}, timeout=10).status_code == 200

    open_menu(page, "Zapier")
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("alertdialog", name="Delete API key “Zapier”?").get_by_role("button", name="Delete").click()
    expect(status_message(page, "API key “Zapier” deleted.")).to_be_visible()
    assert not APIKey.objects.exists()


def test_legacy_api_keys_when_deprecated(admin_page: Page, admin_user, organization, live_server) -> None:
    _, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    organization.api_key_policy = Organization.APIKeyPolicy.DEPRECATED
    organization.api_key_sunset_at = timezone.now() + timedelta(days=30)
    organization.save()
    page = admin_page
    page.goto(PAGE)
    sunset = organization.api_key_sunset_at.strftime("%-d %B %Y")
    expect(page.locator("#api-keys .banner")).to_contain_text(f"will stop working on {sunset}")
    expect(page.get_by_role("button", name="Generate API key")).to_have_count(0)
    assert requests.get(f"{live_server.url}/api/v1/account", headers={"x-api-key": key}, timeout=10).ok
    open_menu(page, "Zapier")
    expect(page.get_by_role("menuitem", name="Regenerate")).to_have_count(0)
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("alertdialog", name="Delete API key “Zapier”?").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("row", name=re.compile("Zapier"))).to_have_count(0)


def test_legacy_api_keys_when_disabled(admin_page: Page, admin_user, organization, live_server) -> None:
    _, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    organization.api_key_policy = Organization.APIKeyPolicy.DISABLED
    organization.save()
    page = admin_page
    page.goto(PAGE)
    expect(page.locator("#api-keys .banner")).to_contain_text("API keys are disabled for this organization.")
    expect(page.get_by_role("button", name="Generate API key")).to_have_count(0)
    response = requests.get(f"{live_server.url}/api/v1/account", headers={"x-api-key": key}, timeout=10)
    assert response.status_code == 401 and "disabled" in response.json()["detail"]


def test_show_debug_session_key(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(PAGE)
    assert organization.debug_session_key not in page.content()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("textbox", name="Debug session key", exact=True)).to_have_value(
        organization.debug_session_key
    )
    assert AuditEvent.objects.filter(action="debug_session_key.revealed").count() == 1
    page.get_by_role("button", name="Regenerate").click()
    confirm = page.get_by_role("alertdialog", name="Regenerate the debug session key?")
    expect(confirm.get_by_role("button", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Regenerate").click()
    expect(confirm).to_be_hidden()
    expect(status_message(page, "Debug session key regenerated.")).to_be_visible()
    organization.refresh_from_db()
    expect(page.get_by_role("textbox", name="Debug session key", exact=True)).to_have_value(
        organization.debug_session_key
    )
    assert AccessKey.objects.count() == 0
