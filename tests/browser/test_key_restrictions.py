"""Allowed addresses on Settings > API authentication in a real browser at desktop width: Create access
key's field and More options › Edit allowed addresses, with the key then used against the live API."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from credentials.models import AccessKey
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
    saved = page.get_by_role("status").filter(has_text="Access key “Office sync”: restricted to 1 address.")
    expect(saved).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Office sync"))).to_contain_text("Restricted to 1 address")
    assert call(live_server, key_id, secret).status_code == 200
    assert AccessKey.objects.get(key_id=key_id).allowed_addresses == ["127.0.0.1"]
    assert_accessible(page)
