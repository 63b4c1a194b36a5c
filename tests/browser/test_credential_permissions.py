"""Credential permissions and a credential's Usage in a real browser: the choice in Create access key, More
options › Permissions (with and without JavaScript), and the Usage page, at desktop and phone width."""

from __future__ import annotations

import base64
import re
from datetime import timedelta

import pytest
import requests
from django.utils import timezone
from playwright.sync_api import Page, expect

from credentials import keys
from credentials.models import AccessKey, Organization, UsageRecord
from tests.browser.test_accessibility import assert_accessible
from tests.factories import make_credential

PAGE = "/o/acme/settings/api-authentication/"
CREDENTIALS = "/o/acme/settings/integrations/credentials/"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SIZES = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


@pytest.fixture
def credentials(organization):
    return [
        make_credential(organization, "Billing API"),
        make_credential(organization, "CRM with a rather long name for a phone screen"),
    ]


def assert_no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width} px wide"


@SIZES
def test_create_access_key_with_selected_credentials(admin_page: Page, credentials, size) -> None:
    billing, crm = credentials
    page = admin_page
    page.set_viewport_size(size)
    page.goto(PAGE)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    expect(dialog).to_be_visible()
    permissions = dialog.get_by_role("group", name="Credential permissions")
    expect(permissions.get_by_label("Use no credentials")).to_be_checked()
    checklist = dialog.get_by_role("group", name="Credentials this key may use")
    expect(checklist).to_be_hidden()
    dialog.get_by_label("Name", exact=True).fill("Billing sync")
    permissions.get_by_label("Use selected credentials").check()
    expect(checklist).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    # Nothing ticked: refused next to the list, the name kept.
    dialog.get_by_role("button", name="Create access key").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Select at least one credential")
    expect(dialog.get_by_label("Name", exact=True)).to_have_value("Billing sync")
    checklist.get_by_label("Billing API").check()
    dialog.get_by_role("button", name="Create access key").click()

    created = page.get_by_role("dialog", name="Access key “Billing sync” created")
    expect(created).to_be_visible()
    created.get_by_role("link", name="Done").click()
    page.get_by_role("alertdialog", name="Store your access key secret").get_by_role("button", name="Proceed").click()
    row = page.get_by_role("row", name=re.compile("Billing sync"))
    expect(row).to_contain_text("Uses 1 credential")
    access_key = AccessKey.objects.get(name="Billing sync")
    assert access_key.may_use(billing.pk) and not access_key.may_use(crm.pk)
    assert_no_sideways_scroll(page)


@SIZES
def test_more_options_permissions_change_what_a_key_uses(admin_page: Page, admin_user, organization, credentials, size):
    billing, crm = credentials
    keys.create_access_key(organization, "Reports", owner=admin_user)
    page = admin_page
    page.set_viewport_size(size)
    page.goto(PAGE)
    row = page.get_by_role("row", name=re.compile("Reports"))
    expect(row).to_contain_text("Uses no credentials")
    page.get_by_role("button", name="More options for Reports").click()
    page.get_by_role("menuitem", name="Permissions").click()
    dialog = page.get_by_role("dialog", name="Permissions of “Reports”")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Use no credentials")).to_be_checked()
    dialog.get_by_label("Use selected credentials").check()
    dialog.get_by_label("Billing API").check()
    dialog.get_by_label("CRM with a rather long name for a phone screen").check()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    dialog.get_by_role("button", name="Save permissions").click()
    expect(dialog).to_be_hidden()
    expect(
        page.get_by_role("main").get_by_role("status").filter(has_text="Access key “Reports”: uses 2 credentials.")
    ).to_be_visible()
    expect(row).to_contain_text("Uses 2 credentials")
    access_key = AccessKey.objects.get(name="Reports")
    assert access_key.may_use(billing.pk) and access_key.may_use(crm.pk)

    # Reopened, it shows the stored choice; Use all credentials empties the list.
    page.get_by_role("button", name="More options for Reports").click()
    page.get_by_role("menuitem", name="Permissions").click()
    dialog = page.get_by_role("dialog", name="Permissions of “Reports”")
    expect(dialog.get_by_label("Billing API")).to_be_checked()
    dialog.get_by_label("Use all credentials").check()
    expect(dialog.get_by_role("group", name="Credentials this key may use")).to_be_hidden()
    dialog.get_by_role("button", name="Save permissions").click()
    expect(row).to_contain_text("Uses all credentials")
    assert AccessKey.objects.get(name="Reports").credential_access == "all"


def test_permissions_work_without_javascript(no_js_page: Page, admin_user, organization, credentials) -> None:
    access_key, _ = keys.create_access_key(organization, "Reports", owner=admin_user)
    page = no_js_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    page.get_by_role("link", name="Permissions").click()
    expect(page.get_by_role("heading", name="Permissions of “Reports”")).to_be_visible()
    page.get_by_label("Use selected credentials").check()
    page.get_by_label("Billing API").check()
    assert_accessible(page)
    page.get_by_role("button", name="Save permissions").click()
    expect(page).to_have_url(re.compile(re.escape(PAGE) + "$"))
    expect(page.get_by_role("row", name=re.compile("Reports"))).to_contain_text("Uses 1 credential")
    access_key.refresh_from_db()
    assert access_key.may_use(credentials[0].pk) and not access_key.may_use(credentials[1].pk)


def _calls(credential, access_key) -> None:
    east = Organization.objects.get(slug="acme-east")
    now = timezone.now()
    UsageRecord.objects.bulk_create(
        UsageRecord(
            organization=credential.organization,
            credential=credential,
            access_key=access_key,
            key_id=access_key.key_id,
            child_organization=east if n % 3 == 0 else None,
            at=now - timedelta(minutes=30 * n),
            method="GET" if n % 2 else "POST",
            path=f"/v1/invoices/{n}/lines/with/a/long/path/segment/for/phones",
            status=None if n % 10 == 9 else 200,
            error="deadline" if n % 10 == 9 else "",
            duration_ms=30 + n,
        )
        for n in range(60)
    )


@SIZES
def test_the_usage_page_of_a_credential(admin_page: Page, admin_user, organization, credentials, size) -> None:
    billing = credentials[0]
    access_key, _ = keys.create_access_key(organization, "Reports", owner=admin_user)
    _calls(billing, access_key)
    page = admin_page
    page.set_viewport_size(size)
    page.goto(CREDENTIALS)
    tile = page.get_by_role("article", name="Billing API")
    usage = tile.get_by_role("link", name=re.compile("usage of Billing API"))
    expect(usage).to_contain_text("48 calls in 24 h · 60 in 30 days")
    usage.click()
    expect(page.get_by_role("heading", name="Usage of “Billing API”", level=1)).to_be_visible()
    table = page.get_by_role("table", name=re.compile("Calls with Billing API"))
    expect(table.locator("tbody tr")).to_have_count(50)
    first = table.locator("tbody tr").first
    expect(first).to_contain_text(access_key.key_id)
    expect(first).to_contain_text("POST /v1/invoices/0/lines")
    expect(first).to_contain_text("Acme East")
    expect(table).to_contain_text("Timed out")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_role("link", name="Older calls").click()
    expect(table.locator("tbody tr")).to_have_count(10)
    expect(table.locator("tbody tr").last).to_contain_text("/v1/invoices/59/")
    expect(page).to_have_url(re.compile(r"\?after="))
    page.get_by_role("link", name="Newer calls").click()
    expect(table.locator("tbody tr")).to_have_count(50)
    assert_no_sideways_scroll(page)


def test_a_key_made_in_the_browser_calls_through_the_proxy_and_its_calls_show(
    admin_page: Page, organization, credentials, live_server, httpserver, settings
) -> None:
    """The whole road: an admin creates a key that may use Billing API, a program calls Billing API's
    upstream through credhub with it (never seeing Billing API's secret), and the admin sees the call,
    and a refused call to another credential, on each credential's Usage page."""
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    billing, crm = credentials
    billing.base_url = httpserver.url_for("/api")
    billing.save(update_fields=["base_url"])
    password = billing.secrets["password"]
    basic = "Basic " + base64.b64encode(f"billing-user:{password}".encode()).decode()
    httpserver.expect_request("/api/v1/invoices", headers={"Authorization": basic}).respond_with_json({"invoices": []})

    page = admin_page
    page.set_viewport_size(DESKTOP)
    page.goto(PAGE)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    dialog.get_by_label("Name", exact=True).fill("Invoice export")
    dialog.get_by_role("group", name="Credential permissions").get_by_label("Use selected credentials").check()
    dialog.get_by_role("group", name="Credentials this key may use").get_by_label("Billing API").check()
    dialog.get_by_role("button", name="Create access key").click()
    created = page.get_by_role("dialog", name="Access key “Invoice export” created")
    key_id = created.get_by_role("textbox", name="Access key ID").input_value()
    secret = created.get_by_role("textbox", name="Access key secret").input_value()
    created.get_by_role("link", name="Done").click()
    page.get_by_role("alertdialog", name="Store your access key secret").get_by_role("button", name="Proceed").click()

    # The admin copies each credential's Proxy URL from its Usage page for the program.
    def proxy_url(name: str) -> str:
        page.goto(CREDENTIALS)
        page.get_by_role("article", name=re.compile(name)).get_by_role("link", name=re.compile("usage of")).click()
        return page.get_by_role("textbox", name="Proxy URL").input_value()

    billing_url, crm_url = proxy_url("Billing API"), proxy_url("CRM")
    assert billing_url == f"{live_server.url}/api/v1/credentials/{billing.pk}/proxy/"

    # The program: plain HTTP to credhub with its own key, as the README's example does.
    program = {"X-Client-ID": key_id, "X-Client-Secret": secret}
    answer = requests.get(f"{billing_url}v1/invoices", headers=program, timeout=10)
    assert answer.status_code == 200 and answer.json() == {"invoices": []}
    assert password not in answer.text and "Credhub-Error" not in answer.headers
    refused = requests.get(f"{crm_url}v1/contacts", headers=program, timeout=10)
    assert refused.status_code == 403 and refused.headers["Credhub-Error"] == "forbidden"

    page.goto(CREDENTIALS)
    billing_usage = page.get_by_role("article", name="Billing API").get_by_role("link", name=re.compile("usage of"))
    expect(billing_usage).to_contain_text("1 call in 24 h")
    billing_usage.click()
    call = page.get_by_role("table", name=re.compile("Calls with Billing API")).locator("tbody tr")
    expect(call).to_have_count(1)
    for shown in (key_id, "GET /v1/invoices", "HTTP 200"):
        expect(call).to_contain_text(shown)
    assert_accessible(page)

    page.goto(CREDENTIALS)
    page.get_by_role("article", name=re.compile("CRM")).get_by_role("link", name=re.compile("usage of")).click()
    refusal = page.get_by_role("table", name=re.compile("Calls with CRM")).locator("tbody tr")
    expect(refusal).to_contain_text("GET /v1/contacts")
    expect(refusal).to_contain_text("Refused: not permitted")
