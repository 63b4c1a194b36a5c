"""What a new Organization Admin notices on a first visit: layout and navigation found wrong in a walk-through."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from credentials.models import Credential
from tests.browser.conftest import settled, sign_in

LIST = "/o/acme/settings/integrations/credentials/"


def test_without_javascript_a_tile_lists_its_actions_under_its_name(no_js_page: Page, basic_credential) -> None:
    # The "More options" button opens nothing without JavaScript; its menu was laid out inside the tile's
    # head and squeezed the credential's name into a column one letter wide.
    page = no_js_page
    page.goto(LIST)
    tile = page.get_by_role("listitem").filter(has=page.get_by_role("heading", name="Billing API"))
    expect(tile.get_by_role("button", name="More options for Billing API")).to_be_hidden()
    # Without the script they are plain links and buttons: no menu whose arrow keys would do nothing.
    expect(tile.get_by_role("menu")).to_have_count(0)
    for role, action in (("link", "Rename"), ("link", "Edit"), ("button", "Test connection"), ("link", "Delete")):
        expect(tile.get_by_role(role, name=action, exact=True)).to_be_visible()
    name = tile.get_by_role("heading", name="Billing API").bounding_box()
    rename = tile.get_by_role("link", name="Rename").bounding_box()
    tile_box = tile.bounding_box()
    assert name["height"] < 40  # one line, not a letter per line
    assert rename["y"] >= name["y"] + name["height"]  # the actions sit below the name
    assert rename["x"] + rename["width"] <= tile_box["x"] + tile_box["width"]  # and inside the tile


def test_remove_organization_sits_to_the_right_of_its_dropdown(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(LIST)
    page.get_by_role("link", name="Add Credential").first.click()
    dialog = page.get_by_role("dialog", name="Add New Credential")
    dialog.get_by_label("Authentication type").select_option(label="Basic")
    expect(dialog.get_by_label("Username")).to_be_visible()
    dialog.get_by_label("Org. Specific Authentication").check()
    remove = dialog.get_by_role("button", name="Remove Organization")
    expect(remove).to_be_visible()
    select = dialog.get_by_label("Organization", exact=True).bounding_box()
    button = remove.bounding_box()
    assert abs(button["y"] - select["y"]) < 8  # same line
    assert button["x"] >= select["x"] + select["width"]  # to its right
    password = dialog.get_by_label("Password").bounding_box()
    assert password["y"] > select["y"] + select["height"]  # the row's secrets below


def test_without_javascript_each_full_page_has_one_main_heading(no_js_page: Page, basic_credential) -> None:
    # The overlay and the delete confirmation, served as pages of their own, had only an h2.
    page = no_js_page
    for path, title in (
        (f"{LIST}new/", "Add New Credential"),
        (f"{LIST}{basic_credential.pk}/edit/", "Edit Credential"),
        (f"{LIST}{basic_credential.pk}/delete/", "Delete “Billing API”?"),
    ):
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_overlay_title_stays_a_dialog_heading(admin_page: Page, basic_credential) -> None:
    page = admin_page
    page.goto(LIST)
    page.get_by_role("link", name="Add Credential").click()
    dialog = page.get_by_role("dialog", name="Add New Credential")
    expect(dialog.get_by_role("heading", level=2, name="Add New Credential")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Integrations")


def test_the_main_navigation_marks_settings_on_settings_pages(admin_page: Page, basic_credential) -> None:
    page = admin_page
    main_nav = page.get_by_role("navigation", name="Main")
    for path in (LIST, f"{LIST}{basic_credential.pk}/test/"):
        page.goto(path)
        expect(main_nav.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
        expect(
            page.get_by_role("navigation", name="Settings").get_by_role("link", name="Integrations")
        ).to_have_attribute("aria-current", "page")
    page.goto("/o/acme/connections/")
    expect(main_nav.get_by_role("link", name="Settings")).not_to_have_attribute("aria-current", "page")
    assert Credential.objects.count() == 1


def test_an_admin_without_settings_pages_lands_on_a_page(admin_page: Page, organization) -> None:
    organization.api_credentials_enabled = False
    organization.save(update_fields=["api_credentials_enabled"])
    page = admin_page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert "/o/acme/settings/" in page.url
    expect(page.get_by_role("link", name="Data sources and destinations")).to_have_count(0)


def test_the_403_page_says_who_may_open_settings_once(page: Page, member_user) -> None:
    sign_in(page, member_user.username)
    page.goto(LIST)
    expect(page.get_by_role("alert")).to_have_text("Only Organization Admins can open this page.")
    assert page.get_by_role("main").inner_text().count("Organization Admins") == 1
    expect(page.get_by_role("link", name="Back to your organizations")).to_be_visible()


def test_a_row_added_while_the_type_change_is_in_flight_is_kept(admin_page: Page, organization) -> None:
    # Changing the Authentication type redraws the form. "+ Header" clicked before that answer came was
    # lost: the redraw replaced the form, and the answer with the new row went to the old, detached one.
    # Both happen in one turn of the page's event loop, so the type change is surely still in flight when
    # "+ Header" is clicked; the newer request replaces it (hx-sync), and only its answer is drawn.
    page = admin_page
    page.goto(LIST)
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.post_data or "") if request.method == "POST" else None)
    page.get_by_role("link", name="Add Credential").click()
    dialog = page.get_by_role("dialog", name="Add New Credential")
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    page.evaluate(
        """() => {
            window.__formSwaps = 0;
            document.addEventListener("htmx:afterSwap", (event) => {
                if (event.target.id === "credential-form") window.__formSwaps += 1;
            });
            const type = document.getElementById("id_auth_type");
            type.value = "none";
            type.dispatchEvent(new Event("change", { bubbles: true }));
            document.getElementById("add-header").click();
        }"""
    )
    settled(page)
    expect(dialog.get_by_label("Header name")).to_be_focused()
    expect(dialog.get_by_label("Authentication type")).to_have_value("none")
    assert page.evaluate("window.__formSwaps") == 1
    actions = [action for body in posted for action in ("refresh", "add_header") if f"_action={action}" in body]
    assert actions == ["refresh", "add_header"]
