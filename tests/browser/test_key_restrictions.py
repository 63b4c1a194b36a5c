"""Allowed addresses and the maximum lifetime on Settings > API authentication in a real browser at desktop
width: Create access key's field, More options › Edit allowed addresses, with the key then used against the
live API, and Expiry settings' maximum lifetime."""

from __future__ import annotations

import re
from datetime import timedelta

import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from credentials import keys
from credentials.models import AccessKey
from tests.browser.conftest import status_message
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_key_lifecycle import DESKTOP, PAGE, open_menu


def call(live_server, key_id: str, secret: str) -> requests.Response:
    return requests.get(
        f"{live_server.url}/api/v1/account", headers={"X-Client-ID": key_id, "X-Client-Secret": secret}, timeout=10
    )


def test_a_key_restricted_to_addresses_from_create_to_edit(admin_page: Page, organization, live_server) -> None:
    page = admin_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    dialog.get_by_label("Name", exact=True).fill("Office sync")
    addresses = dialog.get_by_label("Allowed addresses", exact=True)
    expect(dialog).to_contain_text("One IPv4 or IPv6 address or CIDR range per line, such as 203.0.113.7")
    addresses.fill("203.0.113.0/24\noffice")
    dialog.get_by_role("button", name="Create access key").click()

    # Every wrong entry is named; nothing typed is lost.
    expect(dialog.get_by_role("alert")).to_contain_text("“office” is not an IPv4 or IPv6 address or CIDR range")
    expect(dialog.get_by_label("Allowed addresses", exact=True)).to_have_value("203.0.113.0/24\noffice")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Office sync")
    assert_accessible(page)
    dialog.get_by_label("Allowed addresses", exact=True).fill("203.0.113.0/24\n2001:db8::/32")
    dialog.get_by_role("button", name="Create access key").click()

    created = page.get_by_role("dialog", name="Access key “Office sync” created")
    key_id = created.get_by_label("Access key ID", exact=True).input_value()
    secret = created.get_by_label("Access key secret", exact=True).input_value()
    created.get_by_role("link", name="Done").click()
    page.get_by_role("alertdialog", name="Store your access key secret").get_by_role("button", name="Proceed").click()
    row = page.get_by_role("row", name=re.compile("Office sync"))
    expect(row).to_contain_text("Restricted to 2 ranges")

    # The live server sees the browser's tests from 127.0.0.1: outside the list.
    refused = call(live_server, key_id, secret)
    assert refused.status_code == 403
    assert refused.json() == {"error": "Forbidden", "detail": "This key cannot be used from 127.0.0.1."}

    open_menu(page, "Office sync")
    page.get_by_role("menuitem", name="Edit allowed addresses").click()
    edit = page.get_by_role("dialog", name="Allowed addresses of “Office sync”")
    field = edit.get_by_label("Allowed addresses", exact=True)
    expect(field).to_have_value("203.0.113.0/24\n2001:db8::/32")
    assert_accessible(page)
    field.fill("127.0.0.1")
    edit.get_by_role("button", name="Save allowed addresses").click()
    expect(edit).to_be_hidden()
    saved = page.locator("#access-keys").get_by_role("status").filter(has_text="restricted to 1 address.")
    expect(saved).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Office sync"))).to_contain_text("Restricted to 1 address")
    assert call(live_server, key_id, secret).status_code == 200
    assert AccessKey.objects.get(key_id=key_id).allowed_addresses == ["127.0.0.1"]
    assert_accessible(page)


def test_a_maximum_lifetime_limits_create_and_marks_older_keys(admin_page: Page, admin_user, organization) -> None:
    keys.create_access_key(organization, "Yearly", owner=admin_user, expires_at=timezone.now() + timedelta(days=365))
    page = admin_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    settings_section = page.locator("#expiry-settings")
    settings_section.get_by_label("Default expiry period").select_option(label="30 days")
    settings_section.get_by_label("Maximum lifetime (days)", exact=True).fill("90")
    settings_section.get_by_label("Keys over it stop working on", exact=True).fill("2099-03-01")
    settings_section.get_by_role("button", name="Save expiry settings").click()
    expect(status_message(page, "Expiry settings saved.")).to_be_visible()
    expect(page.locator("#expiry-settings").get_by_label("Maximum lifetime (days)", exact=True)).to_have_value("90")
    organization.refresh_from_db()
    assert organization.access_key_max_lifetime == 90

    page.reload()
    row = page.get_by_role("row", name=re.compile("Yearly"))
    expect(row).to_contain_text("Over the organization's maximum lifetime: stops working on 1 March 2099")
    assert_accessible(page)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    expect(dialog.get_by_label("Expiry period").locator("option")).to_have_text(
        ["7 days", "30 days", "60 days", "90 days"]
    )
    expect(dialog).to_contain_text("Keys may last at most 90 days.")
