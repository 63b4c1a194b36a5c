"""Deactivate, Reactivate and Roll key on Settings > API authentication in a real browser at desktop
width, with the keys then used against the live API."""

from __future__ import annotations

import re
from datetime import timedelta

import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from credentials import keys
from credentials.models import AccessKey, Connection
from tests.browser.test_accessibility import assert_accessible

PAGE = "/o/acme/settings/api-authentication/"
DESKTOP = {"width": 1280, "height": 800}


def open_menu(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"More options for {name}").click()


def call(live_server, key_id: str, secret: str) -> requests.Response:
    return requests.get(
        f"{live_server.url}/api/v1/account", headers={"X-Client-ID": key_id, "X-Client-Secret": secret}, timeout=10
    )


def test_deactivate_and_reactivate_an_access_key(admin_page: Page, admin_user, organization, live_server) -> None:
    access_key, secret = keys.create_access_key(organization, "CI", owner=admin_user)
    Connection.objects.create(
        organization=organization, kind="source", connector="http_api", name="Nightly import", access_key=access_key
    )
    page = admin_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    open_menu(page, "CI")
    page.get_by_role("menuitem", name="Deactivate").click()
    confirm = page.get_by_role("alertdialog", name="Deactivate access key “CI”?")
    expect(confirm).to_contain_text("Connections established with it are not revoked.")
    assert_accessible(page)
    confirm.get_by_role("button", name="Deactivate").click()
    expect(confirm).to_be_hidden()
    expect(
        page.get_by_role("main").get_by_role("status").filter(has_text="Access key “CI” deactivated")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("CI")).get_by_text("Inactive", exact=True)).to_be_visible()
    refused = call(live_server, access_key.key_id, secret)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized", "detail": "This access key is inactive."}
    assert Connection.objects.get().status == "active"
    assert_accessible(page)

    open_menu(page, "CI")
    expect(page.get_by_role("menuitem", name="Deactivate")).to_have_count(0)
    page.get_by_role("menuitem", name="Reactivate").click()
    page.get_by_role("alertdialog", name="Reactivate access key “CI”?").get_by_role("button", name="Reactivate").click()
    expect(
        page.get_by_role("main").get_by_role("status").filter(has_text="Access key “CI” reactivated.")
    ).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("CI")).get_by_text("Inactive", exact=True)).to_have_count(0)
    assert call(live_server, access_key.key_id, secret).status_code == 200


def test_roll_key_shows_the_new_secret_once_and_both_work_until_the_chosen_time(
    admin_page: Page, admin_user, organization, live_server
) -> None:
    expires_at = timezone.now() + timedelta(days=2, hours=1)
    access_key, old_secret = keys.create_access_key(organization, "Deploys", owner=admin_user, expires_at=expires_at)
    page = admin_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    open_menu(page, "Deploys")
    page.get_by_role("menuitem", name="Roll key").click()
    dialog = page.get_by_role("dialog", name="Roll access key “Deploys”")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_label("Current secret stops working").select_option(label="In 24 hours")
    dialog.get_by_role("button", name="Roll key").click()

    rolled = page.get_by_role("dialog", name="Access key “Deploys” rolled")
    expect(rolled).to_be_visible()
    expect(rolled).to_contain_text("until then both work")
    assert_accessible(page)
    assert rolled.get_by_label("Access key ID", exact=True).input_value() == access_key.key_id
    new_secret = rolled.get_by_label("Access key secret", exact=True).input_value()
    assert new_secret.startswith("chsk_") and new_secret != old_secret
    with page.expect_download() as download_info:
        rolled.get_by_role("button", name="Download credentials").click()
    with open(download_info.value.path(), encoding="utf-8") as env_file:
        assert f"CREDHUB_CLIENT_SECRET={new_secret}" in env_file.read()
    rolled.get_by_role("link", name="Done").click()
    alert = page.get_by_role("alertdialog", name="Store your access key secret")
    alert.get_by_role("button", name="Proceed").click()
    expect(alert).to_be_hidden()

    row = page.get_by_role("row", name=re.compile("Deploys"))
    expect(row).to_contain_text("Rolling: previous secret stops working in 23 h")
    expect(row).to_contain_text("Expires in 2 days")
    expect(page.locator("#expiring-keys")).to_contain_text("An access key expires within 7 days.")
    assert_accessible(page)
    assert new_secret not in page.content()
    assert call(live_server, access_key.key_id, old_secret).status_code == 200
    assert call(live_server, access_key.key_id, new_secret).status_code == 200

    # Rolling again while rolling: the oldest secret stops at once, at most two work.
    open_menu(page, "Deploys")
    page.get_by_role("menuitem", name="Roll key").click()
    dialog = page.get_by_role("dialog", name="Roll access key “Deploys”")
    expect(dialog).to_contain_text("already rolling")
    dialog.get_by_label("Current secret stops working").select_option(label="Now")
    dialog.get_by_role("button", name="Roll key").click()
    rolled = page.get_by_role("dialog", name="Access key “Deploys” rolled")
    expect(rolled).to_contain_text("The previous secret has stopped working.")
    newest = rolled.get_by_label("Access key secret", exact=True).input_value()
    assert call(live_server, access_key.key_id, old_secret).status_code == 401
    assert call(live_server, access_key.key_id, new_secret).status_code == 401
    assert call(live_server, access_key.key_id, newest).status_code == 200
    assert AccessKey.objects.get().previous_secret_until is None
