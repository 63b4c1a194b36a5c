from __future__ import annotations

from playwright.sync_api import Page, expect


def test_add_basic_credential_from_empty_state(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto("/o/acme/settings/integrations/credentials/")
    expect(page.get_by_role("heading", name="No credentials yet")).to_be_visible()
    page.get_by_role("link", name="Add Credential").click()
    dialog = page.get_by_role("dialog", name="Add New Credential")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Credential Name").fill("Billing")
    dialog.get_by_label("Base URL").fill("https://billing.example.com")
    dialog.get_by_label("Authentication type").select_option(label="Basic")
    dialog.get_by_label("Username").fill("bill")
    dialog.get_by_label("Password").fill("pw-123-secret")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name="Billing")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Credential “Billing” added.")).to_be_visible()
    assert "pw-123-secret" not in page.content()
