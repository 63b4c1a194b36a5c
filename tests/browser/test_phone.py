"""In Chromium at 390×844: no screen scrolls sideways; wide tables scroll inside their own container."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from credentials import audit, keys
from credentials.models import Connection, Credential
from tests.browser.conftest import sign_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, live_server, admin_user, organization) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, admin_user.username)
    credential = Credential.objects.create(
        organization=organization,
        name="Kissmetrics production with a long name",
        connector="kissmetrics",
        base_url="https://api.kissmetrics.io/a/rather/long/path/for/a/phone",
        auth_type="basic",
        secrets={"username": "u", "password": "p"},
    )
    Connection.objects.create(
        organization=organization, kind="source", connector="kissmetrics", name="Events", credential=credential
    )
    keys.create_access_key(organization, "Deploys from the CI server", owner=admin_user)
    keys.create_api_key(organization, "Zapier")
    audit.record(
        "access_key.expired", organization=organization, actor=admin_user, previous_expiry="2027-01-01T14:35:28+00:00"
    )
    yield page
    context.close()
    assert not errors


def _page_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def _too_wide(page: Page) -> list[str]:
    """The elements that stick out to the right, to say what scrolls sideways."""
    return page.evaluate(
        """Array.from(document.querySelectorAll("body *")).filter((element) => {
            const scroller = element.parentElement && element.parentElement.closest(".table-wrap, .settings-nav");
            return element.getBoundingClientRect().right > window.innerWidth + 1 && !scroller;
        }).slice(0, 8).map((element) => `${element.tagName}.${element.className}`)"""
    )


@pytest.mark.parametrize(
    "path",
    [
        "/o/acme/settings/integrations/credentials/",
        "/o/acme/settings/api-authentication/",
        "/o/acme/settings/audit-log/",
        "/o/acme/connections/",
        "/o/acme/connections/new/?kind=source",
        "/o/acme/connections/new/source/kissmetrics/",
    ],
)
def test_no_screen_scrolls_sideways(phone: Page, path: str) -> None:
    phone.goto(path)
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
    assert _page_width(phone) <= PHONE["width"], _too_wide(phone)


def test_settings_sidebar_is_a_row_of_tabs(phone: Page) -> None:
    phone.goto("/o/acme/settings/api-authentication/")
    nav = phone.get_by_role("navigation", name="Settings")
    links = nav.get_by_role("link")
    boxes = [links.nth(index).bounding_box() for index in range(links.count())]
    assert len({round(box["y"]) for box in boxes}) == 1  # one row, not a column above the content


def test_the_shown_once_secret_fits_and_proceed_leaves_the_page_unscrolled(phone: Page) -> None:
    phone.goto("/o/acme/settings/api-authentication/")
    phone.get_by_role("link", name="Create access key").click()
    dialog = phone.get_by_role("dialog", name="Create access key")
    dialog.get_by_label("Name", exact=True).fill("Phone key")
    dialog.get_by_role("button", name="Create access key").click()
    secret = phone.get_by_label("Access key secret", exact=True)
    expect(secret).to_be_visible()
    # The whole secret is visible: nothing hidden to the right of the box.
    assert secret.evaluate("box => box.scrollWidth <= box.clientWidth")
    box = secret.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    phone.get_by_role("link", name="Done").click()
    phone.get_by_role("alertdialog", name="Store your access key secret").get_by_role("button", name="Proceed").click()
    assert phone.evaluate("window.scrollX") == 0 and _page_width(phone) <= PHONE["width"]
