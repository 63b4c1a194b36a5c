"""The Add New Credential overlay as a product: switches, unmasked identifiers, Show/Hide on secrets, help,
required marks, one ✕, errors that say what to do, and organization rows that offer only what is left."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from credentials.models import Credential
from tests.browser.conftest import COUNT_HTMX_REQUESTS, settled, sign_in
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_credentials import LIST, choose_auth
from tests.browser.test_credentials import open_overlay as open_from_list

NEW = "/o/acme/settings/integrations/credentials/new/"


def open_overlay(page: Page) -> Locator:
    page.goto(LIST)
    return open_from_list(page)


def left(locator: Locator) -> float:
    return locator.bounding_box()["x"]


def test_the_toggles_are_switches_on_the_fields_grid(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    name = dialog.get_by_label("Credential Name", exact=True)
    for label in ("Test credentials", "Org. Specific Authentication"):
        switch = dialog.get_by_role("switch", name=label, exact=True)
        expect(switch).not_to_be_checked()
        assert abs(left(switch) - left(name)) <= 1  # starts where the fields start, not indented
    test_switch = dialog.get_by_role("switch", name="Test credentials", exact=True)
    test_switch.focus()
    admin_page.keyboard.press("Space")
    expect(test_switch).to_be_checked()
    admin_page.keyboard.press("Space")
    expect(test_switch).not_to_be_checked()


@pytest.mark.parametrize(
    ("path", "auth", "identifier", "secret"),
    [
        (NEW, "Basic", "Username", "Password"),
        (NEW, "HMAC-SHA256", "Client ID", "Client Secret"),
        (NEW, "AWS4", "Access Key", "Secret Key"),
        (f"{NEW}?connector=kismet", None, "Client ID", "Client Secret"),
        (f"{NEW}?connector=kissflow", None, "Access Key ID", "Access Key Secret"),
    ],
    ids=["basic", "hmac", "aws4", "kismet", "kissflow"],
)
def test_identifiers_are_typed_in_the_clear_and_only_secrets_are_masked(
    admin_page: Page, organization, path, auth, identifier, secret
) -> None:
    page = admin_page
    if auth:
        form = open_overlay(page)
        choose_auth(form, auth)
    else:
        page.goto(path)
        form = page.locator("#credential-form")
    expect(form.get_by_label(identifier, exact=True)).to_have_attribute("type", "text")
    expect(form.get_by_label(secret, exact=True)).to_have_attribute("type", "password")
    expect(form.get_by_role("button", name=f"Show {secret}", exact=True)).to_be_visible()
    expect(form.get_by_role("button", name=f"Show {identifier}", exact=True)).to_have_count(0)


def test_show_and_hide_a_typed_secret_by_keyboard(admin_page: Page, organization) -> None:
    page = admin_page
    dialog = open_overlay(page)
    choose_auth(dialog, "Basic")
    password = dialog.get_by_label("Password", exact=True)
    password.fill("typed-secret")
    page.keyboard.press("Tab")
    show = dialog.get_by_role("button", name="Show Password", exact=True)
    expect(show).to_be_focused()
    expect(show).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Enter")
    expect(password).to_have_attribute("type", "text")
    hide = dialog.get_by_role("button", name="Hide Password", exact=True)
    expect(hide).to_have_attribute("aria-pressed", "true")
    expect(hide).to_be_focused()
    page.keyboard.press("Space")
    expect(password).to_have_attribute("type", "password")
    expect(dialog.get_by_role("button", name="Show Password", exact=True)).to_have_attribute("aria-pressed", "false")
    expect(password).to_have_value("typed-secret")


def test_show_never_reveals_a_stored_secret(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(f"{NEW.removesuffix('new/')}{basic_credential.pk}/edit/")
    password = page.get_by_label("Password", exact=True)
    expect(password).to_have_attribute("placeholder", "••••••••")
    page.get_by_role("button", name="Show Password", exact=True).click()
    expect(password).to_have_attribute("type", "text")
    expect(password).to_have_value("")
    for value in Credential.objects.get(pk=basic_credential.pk).secrets.reveal().values():
        assert value not in page.content()


def test_base_url_and_the_aws4_fields_have_placeholders_and_help(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    base_url = dialog.get_by_label("Base URL", exact=True)
    expect(base_url).to_have_attribute("placeholder", "https://api.example.com")
    expect(base_url).to_have_accessible_description(
        "Where credhub sends this credential's requests; each request's path is added to it."
    )
    choose_auth(dialog, "AWS4")
    expect(base_url).to_have_accessible_description(
        "Where credhub sends this credential's requests, signed for the Base Endpoint below; "
        "each request's path is added to it."
    )
    endpoint = dialog.get_by_label("Base Endpoint", exact=True)
    expect(endpoint).to_have_attribute("placeholder", "https://abc123.execute-api.eu-west-1.amazonaws.com")
    expect(endpoint).to_have_accessible_description(
        "The AWS endpoint the integration is signed for. Requests still go to the Base URL."
    )
    expect(dialog.get_by_label("AWS Region", exact=True)).to_have_attribute("placeholder", "eu-west-1")
    expect(dialog.get_by_label("AWS Service", exact=True)).to_have_attribute("placeholder", "execute-api")
    expect(dialog.get_by_label("AWS Service", exact=True)).to_have_accessible_description(
        "The service's signing name: execute-api for API Gateway, s3, es …"
    )


def test_every_required_field_is_marked(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    choose_auth(dialog, "Basic")
    dialog.get_by_role("button", name="+ Header").click()
    expect(dialog.get_by_label("Header name", exact=True)).to_be_focused()
    for label in ("Credential Name", "Base URL", "Content-Type", "Header name", "Username", "Password"):
        field = dialog.get_by_label(label, exact=True)
        expect(field).to_have_attribute("required", "")
        field_id = field.get_attribute("id")
        expect(dialog.locator(f"label[for='{field_id}'] + .required-mark")).to_have_text("*")
    for label in ("Credential Description", "Header value"):
        expect(dialog.get_by_label(label, exact=True)).not_to_have_attribute("required", "")
    expect(dialog.get_by_text("* Required")).to_be_visible()


def test_row_removal_and_close_are_the_same_cross_under_a_divider(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    for index in range(2):
        dialog.get_by_role("button", name="+ Header").click()
        expect(dialog.locator(f"#id_headers-{index}-name")).to_be_focused()
    for name in ("Remove header 1", "Remove header 2", "Close"):
        expect(dialog.get_by_role("button", name=name, exact=True)).to_have_text("✕")
    head = dialog.locator(".overlay-head")
    assert head.evaluate("(element) => getComputedStyle(element).borderBottomStyle") == "solid"
    assert head.evaluate("(element) => getComputedStyle(element).position") == "sticky"
    dialog.get_by_role("button", name="Remove header 1", exact=True).click()
    expect(dialog.get_by_label("Header name", exact=True)).to_have_count(1)


def test_errors_say_what_to_do_and_the_summary_counts_and_links_them(admin_page: Page, organization) -> None:
    page = admin_page
    dialog = open_overlay(page)
    dialog.get_by_label("Base URL", exact=True).fill("api.example.com")
    choose_auth(dialog, "No Authentication")
    dialog.get_by_role("button", name="Save", exact=True).click()
    summary = dialog.get_by_role("alert")
    expect(summary).to_contain_text("2 problems to fix")
    expect(dialog.locator("#id_name-error")).to_have_text("Enter a name for the credential.")
    expect(dialog.locator("#id_base_url-error")).to_have_text("Base URL must start with https:// or http://")
    summary.get_by_role("link", name="Base URL: Base URL must start with https:// or http://").click()
    expect(dialog.get_by_label("Base URL", exact=True)).to_be_focused()
    summary.get_by_role("link", name="Credential Name: Enter a name for the credential.").click()
    expect(dialog.get_by_label("Credential Name", exact=True)).to_be_focused()
    assert not Credential.objects.exists()


def _offered(select: Locator) -> list[str]:
    return select.evaluate("(s) => Array.from(s.options).filter((o) => o.value && !o.hidden).map((o) => o.text)")


def test_organization_rows_offer_only_unchosen_organizations_and_stop_at_the_children(
    admin_page: Page, organization
) -> None:
    dialog = open_overlay(admin_page)
    choose_auth(dialog, "Basic")
    dialog.get_by_role("switch", name="Org. Specific Authentication").check()
    first = dialog.locator("#id_organizations-0-organization")
    expect(first).to_be_visible()
    expect(dialog.get_by_label("Organization 1 — Password", exact=True)).to_be_visible()
    first.select_option(label="Acme East")
    expect(dialog.get_by_label("Acme East — Username", exact=True)).to_have_attribute("type", "text")
    expect(dialog.get_by_label("Acme East — Password", exact=True)).to_have_attribute("type", "password")
    expect(dialog.get_by_role("button", name="Show Acme East — Password", exact=True)).to_be_visible()
    dialog.get_by_label("Acme East — Password", exact=True).fill("east-secret")
    add = dialog.get_by_role("button", name="Add Organization Credential")
    add.click()
    second = dialog.locator("#id_organizations-1-organization")
    expect(second).to_be_focused()
    assert _offered(second) == ["Acme West"]
    expect(add).to_be_disabled()
    expect(add).to_have_accessible_description("Every child organization of Acme has a row (2 of 2).")
    second.select_option(label="Acme West")
    expect(dialog.get_by_label("Acme West — Password", exact=True)).to_be_visible()
    assert _offered(first) == ["Acme East"]
    expect(dialog.get_by_label("Acme East — Password", exact=True)).to_have_value("east-secret")


@pytest.fixture
def phone_page(browser: Browser, live_server, admin_user, organization) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.add_init_script(COUNT_HTMX_REQUESTS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, admin_user.username)
    yield page
    context.close()
    assert not errors


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_overlay_with_errors_and_organization_rows_is_accessible_and_never_scrolls_sideways(
    admin_page: Page, phone_page: Page, organization, viewport
) -> None:
    page = phone_page if viewport == "phone" else admin_page
    dialog = open_overlay(page)
    choose_auth(dialog, "Basic")
    dialog.get_by_role("switch", name="Org. Specific Authentication").check()
    dialog.locator("#id_organizations-0-organization").select_option(label="Acme East")
    dialog.get_by_role("button", name="Add Organization Credential").click()
    expect(dialog.locator("#id_organizations-1-organization")).to_be_focused()
    dialog.get_by_role("button", name="+ Header").click()
    expect(dialog.get_by_label("Header name", exact=True)).to_be_focused()
    dialog.get_by_label("Base URL", exact=True).fill("ftp://example.com")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog.get_by_role("alert").first).to_contain_text("problems to fix")
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert dialog.evaluate("(d) => d.scrollWidth <= d.clientWidth")
    assert_accessible(page)


def test_what_is_typed_while_the_overlay_is_redrawn_is_kept(admin_page: Page, organization) -> None:
    # The type change and the typing happen in one turn of the page's event loop, so the redraw is surely
    # in flight while the name is typed, and its answer (the form as posted, without the name) comes after.
    page = admin_page
    dialog = open_overlay(page)
    page.evaluate(
        """() => {
            const type = document.getElementById("id_auth_type");
            type.value = "basic";
            type.dispatchEvent(new Event("change", { bubbles: true }));
            const name = document.getElementById("id_name");
            name.value = "Typed meanwhile";
            name.dispatchEvent(new Event("input", { bubbles: true }));
        }"""
    )
    settled(page)
    expect(dialog.get_by_label("Username", exact=True)).to_be_visible()
    expect(dialog.get_by_label("Credential Name", exact=True)).to_have_value("Typed meanwhile")
