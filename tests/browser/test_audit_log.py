from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from credentials import audit
from tests.browser.conftest import status_message


def test_filter_the_audit_log(admin_page: Page, organization, admin_user) -> None:
    audit.record("credential.created", organization=organization, actor=admin_user, connector="kimp360")
    audit.record("credential.renamed", organization=organization, actor=admin_user, old_name="Billing")
    audit.record("access_key.revoked", organization=organization, actor=audit.OPERATOR, key_id="AK123")
    page = admin_page
    page.goto("/o/acme/settings/")
    page.get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", name="Audit log", level=1)).to_be_visible()
    table = page.get_by_role("table")
    expect(table.locator("tbody tr")).to_have_count(3)

    page.get_by_label("Action").select_option(label="Renamed credential")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Renamed credential")
    expect(table).to_contain_text("Billing")
    expect(page).to_have_url(re.compile(r"action=credential\.renamed"))
    expect(status_message(page, "1 event matches the filter.")).to_be_visible()

    page.get_by_label("Action").select_option(label="All actions")
    page.get_by_label("Actor").select_option(label="operator (manage.py)")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Revoked access key")
    expect(page).to_have_url(re.compile(r"actor=operator"))

    # The filter lives in the URL: reloading shows the same filtered log.
    page.reload()
    expect(page.get_by_label("Actor")).to_have_value("operator (manage.py)")
    expect(page.get_by_role("table").locator("tbody tr")).to_have_count(1)
