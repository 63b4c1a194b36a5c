"""The Credentials tab in real Chromium: what an Organization Admin does with a mouse and a keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from credentials.models import Credential, OrganizationCredential
from tests.browser.conftest import settled

LIST = "/o/acme/settings/integrations/credentials/"


def open_overlay(page: Page) -> Locator:
    page.get_by_role("link", name="Add Credential").first.click()
    dialog = page.get_by_role("dialog", name="Add New Credential")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    return dialog


def fill_basics(dialog: Locator, name: str, base_url: str = "https://api.example.com") -> None:
    dialog.get_by_label("Credential Name").fill(name)
    dialog.get_by_label("Base URL").fill(base_url)


def choose_auth(dialog: Locator, label: str) -> None:
    """Choose the type and wait for the overlay's redraw with its fields (not for some time)."""
    dialog.get_by_label("Authentication type").select_option(label=label)
    settled(dialog.page)
    expect(dialog.get_by_label("Authentication type")).to_have_value(
        {
            "Headers": "headers",
            "Basic": "basic",
            "Token (Bearer Auth)": "bearer",
            "AWS4": "aws4",
            "HMAC-SHA256": "hmac_sha256",
            "No Authentication": "none",
        }[label]
    )


def save(dialog: Locator) -> None:
    dialog.get_by_role("button", name="Save", exact=True).click()


def saved(page: Page, dialog: Locator, name: str) -> Credential:
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    return Credential.objects.get(name=name)


def mark_page(page: Page) -> None:
    """Leave a mark in the window: if a step reloads the page, the mark is gone."""
    page.evaluate("window.credhubNoReload = true")


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate("window.credhubNoReload === true")


def test_empty_state_then_add_a_basic_credential_without_a_reload(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    expect(page.get_by_role("heading", name="No credentials yet")).to_be_visible()
    mark_page(page)
    dialog = open_overlay(page)
    fill_basics(dialog, "Billing", "https://billing.example.com")
    dialog.get_by_label("Credential Description").fill("Monthly invoices")
    choose_auth(dialog, "Basic")
    dialog.get_by_label("Username").fill("bill")
    dialog.get_by_label("Password").fill("pw-123-secret")
    save(dialog)
    credential = saved(page, dialog, "Billing")
    expect(
        page.get_by_role("region", name="Credentials")
        .get_by_role("status")
        .filter(has_text="Credential “Billing” added.")
    ).to_be_visible()
    tile = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Billing"))
    expect(tile).to_contain_text("HTTP API · Basic")
    expect(tile).to_contain_text("Monthly invoices")
    assert_not_reloaded(page)
    assert credential.secrets.reveal() == {"username": "bill", "password": "pw-123-secret"}
    assert "pw-123-secret" not in page.content()


def _fill_headers(dialog: Locator) -> None:
    dialog.locator("#id_auth_headers-0-key").fill("X-Api-Key")
    dialog.locator("#id_auth_headers-0-value").fill("first-secret")
    dialog.get_by_role("button", name="+ Secret header").click()
    expect(dialog.locator("#id_auth_headers-1-key")).to_be_focused()
    dialog.locator("#id_auth_headers-1-key").fill("X-Api-Secret")
    dialog.locator("#id_auth_headers-1-value").fill("second-secret")


def _fill_basic(dialog: Locator) -> None:
    dialog.get_by_label("Username").fill("user-1")
    dialog.get_by_label("Password").fill("basic-secret")


def _fill_bearer(dialog: Locator) -> None:
    expect(dialog.get_by_label("Key", exact=True)).to_have_value("Authorization")
    dialog.get_by_label("Value", exact=True).fill("bearer-secret")


def _fill_aws4(dialog: Locator) -> None:
    dialog.get_by_label("Access Key").fill("AKIDEXAMPLE")
    dialog.get_by_label("Secret Key").fill("aws-secret")
    dialog.get_by_label("AWS Region").fill("eu-west-1")
    dialog.get_by_label("AWS Service").fill("execute-api")
    dialog.get_by_label("Base Endpoint").fill("https://abc.execute-api.eu-west-1.amazonaws.com")


def _fill_hmac(dialog: Locator) -> None:
    dialog.get_by_label("Client ID").fill("client-1")
    dialog.get_by_label("Client Secret").fill("hmac-secret")


AUTH_CASES = [
    (
        "Headers",
        _fill_headers,
        {"header_names": ["X-Api-Key", "X-Api-Secret"]},
        {"X-Api-Key": "first-secret", "X-Api-Secret": "second-secret"},
    ),
    ("Basic", _fill_basic, {}, {"username": "user-1", "password": "basic-secret"}),
    ("Token (Bearer Auth)", _fill_bearer, {"key": "Authorization"}, {"value": "bearer-secret"}),
    (
        "AWS4",
        _fill_aws4,
        {
            "region": "eu-west-1",
            "service": "execute-api",
            "endpoint": "https://abc.execute-api.eu-west-1.amazonaws.com",
        },
        {"access_key": "AKIDEXAMPLE", "secret_key": "aws-secret"},
    ),
    ("HMAC-SHA256", _fill_hmac, {}, {"client_id": "client-1", "client_secret": "hmac-secret"}),
    ("No Authentication", lambda dialog: None, {}, None),
]


@pytest.mark.parametrize(("label", "fill", "settings", "secrets"), AUTH_CASES, ids=[c[0] for c in AUTH_CASES])
def test_every_authentication_type_is_saved(admin_page: Page, organization, label, fill, settings, secrets) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, f"Via {label}")
    choose_auth(dialog, label)
    expect(dialog.get_by_label("Credential Name")).to_have_value(f"Via {label}")  # kept across the swap
    fill(dialog)
    save(dialog)
    credential = saved(page, dialog, f"Via {label}")
    assert credential.auth_settings == settings
    if secrets is None:
        assert credential.secrets is None
    else:
        assert credential.secrets.reveal() == secrets
        for value in secrets.values():
            assert value not in page.content() or value in settings.values()


def test_a_validation_error_keeps_everything_typed(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, "Billing", "ftp://billing.example.com")
    dialog.get_by_label("Credential Description").fill("Typed description")
    dialog.get_by_label("Test credentials").check()
    dialog.get_by_label("Content-Type").select_option(label="XML")
    choose_auth(dialog, "Basic")
    dialog.get_by_label("Username").fill("bill")
    dialog.get_by_label("Password").fill("typed-password")
    save(dialog)

    base_url = dialog.get_by_label("Base URL")
    expect(base_url).to_have_attribute("aria-invalid", "true")
    expect(base_url).to_be_focused()
    error = dialog.locator("#id_base_url-error")
    expect(error).to_have_text("Base URL must start with https:// or http://")
    assert "id_base_url-error" in base_url.get_attribute("aria-describedby").split()
    expect(dialog.get_by_role("alert")).to_contain_text("1 problem to fix")
    expect(dialog.get_by_label("Credential Name")).to_have_value("Billing")
    expect(dialog.get_by_label("Credential Description")).to_have_value("Typed description")
    expect(base_url).to_have_value("ftp://billing.example.com")
    expect(dialog.get_by_label("Test credentials")).to_be_checked()
    expect(dialog.get_by_label("Content-Type")).to_have_value("application/xml")
    expect(dialog.get_by_label("Username")).to_have_value("bill")
    expect(dialog.get_by_label("Password")).to_have_value("typed-password")
    assert not Credential.objects.exists()

    base_url.fill("https://billing.example.com")
    save(dialog)
    credential = saved(page, dialog, "Billing")
    assert credential.is_test and credential.content_type == "application/xml"
    assert credential.secrets.reveal() == {"username": "bill", "password": "typed-password"}
    expect(page.get_by_role("listitem").filter(has_text="Billing").get_by_text("test", exact=True)).to_be_visible()


def test_organization_rows_are_added_and_removed(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, "Regional")
    choose_auth(dialog, "Token (Bearer Auth)")
    dialog.get_by_label("Org. Specific Authentication").check()
    add = dialog.get_by_role("button", name="Add Organization Credential")
    expect(add).to_be_visible()
    # The credential-wide secret gives way to one per organization.
    expect(dialog.locator("#id_auth_value")).to_have_count(0)
    expect(dialog.locator("#id_organizations-0-value")).to_be_visible()
    # Turned on, the section starts with one row to fill in.
    expect(dialog.get_by_label("Organization", exact=True)).to_have_count(1)
    add.click()
    expect(dialog.locator("#id_organizations-1-organization")).to_be_focused()
    dialog.locator("#id_organizations-0-organization").select_option(label="Acme East")
    dialog.locator("#id_organizations-0-value").fill("east-token-dropped")
    dialog.locator("#id_organizations-1-organization").select_option(label="Acme West")
    dialog.locator("#id_organizations-1-value").fill("west-token")
    dialog.get_by_role("button", name="Remove Organization").nth(0).click()
    expect(dialog.get_by_role("button", name="Remove Organization")).to_have_count(1)
    expect(dialog.locator("#id_organizations-0-organization")).to_have_value("acme-west")
    expect(dialog.locator("#id_organizations-0-value")).to_have_value("west-token")
    add.click()
    expect(dialog.locator("#id_organizations-1-organization")).to_be_focused()
    dialog.locator("#id_organizations-1-organization").select_option(label="Acme East")
    dialog.locator("#id_organizations-1-value").fill("east-token")
    save(dialog)
    credential = saved(page, dialog, "Regional")
    assert credential.org_specific and credential.secrets is None
    rows = {row.organization.slug: row.secrets.reveal() for row in OrganizationCredential.objects.all()}
    assert rows == {"acme-east": {"value": "east-token"}, "acme-west": {"value": "west-token"}}
    tile = page.get_by_role("listitem").filter(has_text="Regional")
    expect(tile.get_by_text("Org. specific")).to_be_visible()


def test_an_org_row_error_shows_next_to_the_row(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, "Regional")
    choose_auth(dialog, "Basic")
    dialog.get_by_label("Org. Specific Authentication").check()
    dialog.locator("#id_organizations-0-username").fill("east-user")
    save(dialog)
    select = dialog.locator("#id_organizations-0-organization")
    expect(select).to_be_focused()
    expect(dialog.locator("#id_organizations-0-organization-error")).to_have_text("Choose an organization.")
    expect(dialog.locator("#id_organizations-0-username")).to_have_value("east-user")
    expect(dialog.locator("#id_organizations-0-password-error")).to_have_text("Enter the Password.")


def test_extra_headers_are_added_and_removed(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, "With headers")
    choose_auth(dialog, "No Authentication")
    plus = dialog.get_by_role("button", name="+ Header")
    for index in range(3):
        plus.click()
        expect(dialog.locator(f"#id_headers-{index}-name")).to_be_focused()
    for index, (name, value) in enumerate([("X-Keep", "1"), ("X-Drop", "2"), ("Accept", "text/csv")]):
        dialog.locator(f"#id_headers-{index}-name").fill(name)
        dialog.locator(f"#id_headers-{index}-value").fill(value)
    dialog.get_by_role("button", name="Remove header 2", exact=True).click()
    expect(dialog.get_by_label("Header name")).to_have_count(2)
    expect(dialog.locator("#id_headers-1-name")).to_have_value("Accept")
    save(dialog)
    credential = saved(page, dialog, "With headers")
    assert credential.extra_headers == [["X-Keep", "1"], ["Accept", "text/csv"]]


def test_content_type_typed_as_an_extra_header_is_refused_in_the_overlay(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    fill_basics(dialog, "Typed content type")
    choose_auth(dialog, "No Authentication")
    dialog.get_by_role("button", name="+ Header").click()
    dialog.locator("#id_headers-0-name").fill("content-type")
    dialog.locator("#id_headers-0-value").fill("text/plain")
    save(dialog)
    name = dialog.locator("#id_headers-0-name")
    expect(name).to_be_focused()
    expect(dialog.locator("#id_headers-0-name-error")).to_contain_text("Content-Type is set above")
    expect(dialog.locator("#id_headers-0-value")).to_have_value("text/plain")


def _menu(page: Page, name: str) -> Locator:
    return page.get_by_role("button", name=f"More options for {name}")


def test_rename_inline(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    mark_page(page)
    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Rename").click()
    field = page.get_by_label("Credential Name")
    expect(field).to_be_focused()
    expect(field).to_have_value("Billing API")
    # Escape cancels, and focus goes back to the tile's menu button.
    field.press("Escape")
    expect(_menu(page, "Billing API")).to_be_focused()
    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Rename").click()
    page.get_by_label("Credential Name").fill("Invoices API")
    page.get_by_label("Credential Name").press("Enter")
    expect(page.get_by_role("heading", name="Invoices API")).to_be_visible()
    expect(page.locator("#tiles").get_by_text("Renamed to “Invoices API”.")).to_be_visible()
    expect(page.locator("#announcer")).to_have_text("Renamed to “Invoices API”.")
    expect(_menu(page, "Invoices API")).to_be_focused()
    assert_not_reloaded(page)
    basic_credential.refresh_from_db()
    assert basic_credential.name == "Invoices API"


def test_rename_to_a_taken_name_shows_the_error_inline(admin_page: Page, organization, basic_credential) -> None:
    Credential.objects.create(organization=organization, name="Other", auth_type="none", base_url="https://o.io")
    page = admin_page
    page.goto(LIST)
    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Rename").click()
    page.get_by_label("Credential Name").fill("other")
    page.get_by_role("button", name="Save").click()
    field = page.get_by_label("Credential Name")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_text("A credential with this name already exists in this organization.")
    expect(field).to_have_value("other")


def test_edit_keeps_the_old_secret_when_blank_and_replaces_it_when_typed(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Edit").click()
    dialog = page.get_by_role("dialog", name="Edit Credential")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Password")).to_have_value("")
    expect(dialog.get_by_label("Password")).to_have_attribute("placeholder", "••••••••")
    expect(dialog.get_by_text("Saved. Leave blank to keep the current value.").first).to_be_visible()
    assert "s3cret-basic-password" not in page.content()
    dialog.get_by_label("Credential Description").fill("Edited description")
    save(dialog)
    expect(dialog).to_be_hidden()
    expect(page.get_by_text("Edited description")).to_be_visible()
    basic_credential.refresh_from_db()
    assert basic_credential.secrets.reveal() == {"username": "billing-user", "password": "s3cret-basic-password"}

    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Edit").click()
    expect(dialog).to_be_visible()
    dialog.get_by_label("Password").fill("new-password")
    save(dialog)
    expect(dialog).to_be_hidden()
    basic_credential.refresh_from_db()
    assert basic_credential.secrets.reveal() == {"username": "billing-user", "password": "new-password"}


def test_delete_asks_for_confirmation(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Delete").click()
    confirm = page.get_by_role("alertdialog", name="Delete “Billing API”?")
    expect(confirm).to_be_visible()
    expect(confirm).to_contain_text("No connections use this credential.")
    expect(confirm.get_by_role("link", name="Cancel")).to_be_focused()
    confirm.get_by_role("link", name="Cancel").click()
    expect(confirm).to_be_hidden()
    expect(_menu(page, "Billing API")).to_be_focused()
    assert Credential.objects.filter(pk=basic_credential.pk).exists()

    _menu(page, "Billing API").click()
    page.get_by_role("menuitem", name="Delete").click()
    # Focus lands on Cancel once htmx has swapped the confirmation in and wired its form.
    expect(confirm.get_by_role("link", name="Cancel")).to_be_focused()
    confirm.get_by_role("button", name="Delete").click()
    expect(confirm).to_be_hidden()
    expect(page.get_by_role("heading", name="Billing API")).to_have_count(0)
    expect(
        page.get_by_role("region", name="Credentials")
        .get_by_role("status")
        .filter(has_text="Credential “Billing API” deleted.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="No credentials yet")).to_be_visible()
    assert not Credential.objects.filter(pk=basic_credential.pk).exists()


def test_escape_closes_the_overlay_and_focus_returns(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    dialog = open_overlay(page)
    page.keyboard.press("Escape")  # nothing typed: closes at once
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("link", name="Add Credential")).to_be_focused()
    dialog = open_overlay(page)
    dialog.get_by_label("Credential Name").fill("Abandoned")
    page.keyboard.press("Escape")  # something typed: asks first
    ask = page.get_by_role("alertdialog", name="Discard what you typed?")
    expect(ask.get_by_role("button", name="Keep editing")).to_be_focused()
    ask.get_by_role("button", name="Keep editing").click()
    expect(dialog.get_by_label("Credential Name")).to_have_value("Abandoned")
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    dialog.get_by_role("button", name="Close").click()  # ✕ asks the same
    page.get_by_role("alertdialog", name="Discard what you typed?").get_by_role("button", name="Discard").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("link", name="Add Credential")).to_be_focused()
    # Opened again, the overlay starts fresh.
    dialog = open_overlay(page)
    expect(dialog.get_by_label("Credential Name")).to_have_value("")
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()
    assert Credential.objects.count() == 1


def test_more_options_menu_by_keyboard(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    button = _menu(page, "Billing API")
    button.focus()
    page.keyboard.press("Enter")
    expect(button).to_have_attribute("aria-expanded", "true")
    rename = page.get_by_role("menuitem", name="Rename")
    expect(rename).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("menuitem", name="Edit")).to_be_focused()
    page.keyboard.press("End")
    expect(page.get_by_role("menuitem", name="Delete")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(rename).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(page.get_by_role("menuitem", name="Delete")).to_be_focused()
    page.keyboard.press("Escape")
    expect(button).to_be_focused()
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("menu")).to_be_hidden()
    # ArrowDown on the button opens the menu too; Enter on Edit opens the overlay.
    page.keyboard.press("ArrowDown")
    expect(rename).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Edit Credential")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(button).to_be_focused()


def test_load_more_credentials(admin_page: Page, organization) -> None:
    Credential.objects.bulk_create(
        Credential(organization=organization, name=f"Credential {n:03d}", auth_type="none", base_url="https://x.io")
        for n in range(40)
    )
    page = admin_page
    page.goto(LIST)
    mark_page(page)
    expect(page.locator("#tiles > li.tile")).to_have_count(18)  # a page of tiles
    page.get_by_role("link", name="Load more credentials").click()
    expect(page.locator("#tiles > li.tile")).to_have_count(36)
    expect(page.get_by_role("heading", name="Credential 018")).to_be_focused()
    page.get_by_role("link", name="Load more credentials").click()
    expect(page.locator("#tiles > li.tile")).to_have_count(40)
    expect(page.get_by_role("heading", name="Credential 036")).to_be_focused()
    expect(page.get_by_role("link", name="Load more credentials")).to_have_count(0)
    assert_not_reloaded(page)
