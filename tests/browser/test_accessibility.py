"""axe-core (WCAG 2.0, 2.1 and 2.2, levels A and AA) on every screen and state an Organization Admin meets.

Each test brings the page into one state the way a user would (clicks, keyboard, or with JavaScript off)
and then asks axe for violations; a failure lists each rule with its impact, the elements and the help.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from credentials.models import Connection, Credential, Membership, Organization, OrganizationCredential
from tests.browser.conftest import show_noscript, sign_in

LIST = "/o/acme/settings/integrations/credentials/"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
AXE = Axe()


def assert_accessible(page: Page) -> None:
    results = AXE.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    violations = results.response["violations"]
    report = [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(", ".join(node["target"]) for node in violation["nodes"])
        for violation in violations
    ]
    assert not violations, f"axe found {len(violations)} violation(s) on {page.url}:\n" + "\n".join(report)


@pytest.fixture
def credentials(organization, admin_user) -> list[Credential]:
    """One tile of each sort: plain Basic, a test Bearer one with a description, an org-specific one."""
    basic = Credential.objects.create(
        organization=organization,
        connector="kissmetrics",
        name="Kissmetrics web",
        description="Web analytics events",
        base_url="https://api.kissmetrics.io",
        auth_type="basic",
        secrets={"username": "km", "password": "km-secret"},
        created_by=admin_user,
    )
    bearer = Credential.objects.create(
        organization=organization,
        name="Local API",
        base_url="http://127.0.0.1:9/api",
        is_test=True,
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": "tok-secret"},
        created_by=admin_user,
    )
    per_org = Credential.objects.create(
        organization=organization,
        connector="kimp360",
        name="Kimp per office",
        base_url="https://api.kimp360.com",
        auth_type="headers",
        auth_settings={"header_names": ["x-api-key"]},
        org_specific=True,
        secrets=None,
        created_by=admin_user,
    )
    OrganizationCredential.objects.create(
        credential=per_org, organization=Organization.objects.get(slug="acme-east"), secrets={"x-api-key": "east"}
    )
    Connection.objects.create(
        organization=organization, kind="source", connector="kissmetrics", name="Web events", credential=basic
    )
    Connection.objects.create(
        organization=organization,
        kind="destination",
        connector="kimp360",
        name="Designs",
        credential=None,
        status="revoked",
        revoked_reason="Credential “Kimp old” was deleted.",
    )
    return [basic, bearer, per_org]


def open_overlay(page: Page, url: str = LIST) -> Locator:
    page.goto(url)
    page.get_by_role("link", name="Add Credential").first.click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Credential Name")).to_be_focused()
    return dialog


# Pages outside the settings


def test_sign_in_page(page: Page, db) -> None:
    page.goto("/accounts/login/")
    assert_accessible(page)


def test_sign_in_with_a_wrong_password(page: Page, admin_user) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(admin_user.username)
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)


def test_home_with_several_organizations(admin_page: Page, admin_user, other_organization) -> None:
    Membership.objects.create(user=admin_user, organization=other_organization, role=Membership.Role.MEMBER)
    admin_page.goto("/")
    expect(admin_page.get_by_role("heading", name="Your organizations")).to_be_visible()
    assert_accessible(admin_page)


def test_403_page(page: Page, member_user) -> None:
    sign_in(page, member_user.username)
    page.goto(LIST)
    expect(page.get_by_role("heading", name="Access denied")).to_be_visible()
    assert_accessible(page)


# The Credentials tab


def test_credentials_tab_empty(admin_page: Page, organization) -> None:
    admin_page.goto(LIST)
    expect(admin_page.get_by_role("heading", name="No credentials yet")).to_be_visible()
    assert_accessible(admin_page)


def test_credentials_tab_with_tiles(admin_page: Page, credentials) -> None:
    admin_page.goto(LIST)
    expect(admin_page.get_by_role("heading", name="Kimp per office")).to_be_visible()
    assert_accessible(admin_page)


def test_more_options_menu_open(admin_page: Page, credentials) -> None:
    admin_page.goto(LIST)
    admin_page.get_by_role("button", name="More options for Local API").click()
    expect(admin_page.get_by_role("menuitem", name="Rename")).to_be_visible()
    assert_accessible(admin_page)


@pytest.mark.parametrize(
    "auth_type", ["Headers", "Basic", "Token (Bearer Auth)", "AWS4", "HMAC-SHA256", "No Authentication"]
)
def test_overlay_for_each_authentication_type(admin_page: Page, organization, auth_type: str) -> None:
    dialog = open_overlay(admin_page)
    dialog.get_by_label("Authentication type").select_option(label=auth_type)
    expect(dialog.get_by_label("Authentication type")).to_have_value(
        {
            "Headers": "headers",
            "Basic": "basic",
            "Token (Bearer Auth)": "bearer",
            "AWS4": "aws4",
            "HMAC-SHA256": "hmac_sha256",
            "No Authentication": "none",
        }[auth_type]
    )
    assert_accessible(admin_page)


@pytest.mark.parametrize("connector", ["kissmetrics", "kimp360", "kismet", "kissflow"])
def test_overlay_for_each_connector(admin_page: Page, organization, connector: str) -> None:
    admin_page.goto(f"/o/acme/connections/new/source/{connector}/")
    admin_page.get_by_role("link", name="Add Credential").click()
    expect(admin_page.get_by_role("dialog").get_by_label("Credential Name")).to_be_focused()
    assert_accessible(admin_page)


def test_overlay_with_validation_errors(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    dialog.get_by_label("Authentication type").select_option(label="AWS4")
    expect(dialog.get_by_label("AWS Region")).to_be_visible()
    dialog.get_by_role("button", name="+ Header").click()
    dialog.get_by_label("Header value").fill("no name")
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog.get_by_role("alert").first).to_contain_text("problems to fix")
    assert_accessible(admin_page)


def test_overlay_with_organization_rows_and_errors(admin_page: Page, organization) -> None:
    dialog = open_overlay(admin_page)
    dialog.get_by_label("Authentication type").select_option(label="Basic")
    expect(dialog.get_by_label("Username")).to_be_visible()
    dialog.get_by_label("Org. Specific Authentication").check()
    expect(dialog.get_by_role("button", name="Remove Organization").first).to_be_visible()
    dialog.get_by_role("button", name="Add Organization Credential").click()
    expect(dialog.get_by_role("button", name="Remove Organization")).to_have_count(2)
    assert_accessible(admin_page)
    dialog.get_by_role("button", name="Save", exact=True).click()
    expect(dialog.get_by_role("alert").first).to_be_visible()
    assert_accessible(admin_page)


def test_edit_overlay_with_stored_secrets(admin_page: Page, credentials) -> None:
    admin_page.goto(LIST)
    admin_page.get_by_role("button", name="More options for Kimp per office").click()
    admin_page.get_by_role("menuitem", name="Edit").click()
    dialog = admin_page.get_by_role("dialog", name="Edit Credential – Kimp360")
    expect(dialog.get_by_text("Saved. Leave blank to keep the current value.").first).to_be_visible()
    assert_accessible(admin_page)


def test_rename_inline(admin_page: Page, credentials) -> None:
    admin_page.goto(LIST)
    admin_page.get_by_role("button", name="More options for Local API").click()
    admin_page.get_by_role("menuitem", name="Rename").click()
    expect(admin_page.get_by_label("Credential Name")).to_be_focused()
    assert_accessible(admin_page)
    admin_page.get_by_label("Credential Name").fill("Kissmetrics web")
    admin_page.get_by_role("button", name="Save").click()
    expect(admin_page.get_by_role("alert")).to_be_visible()
    assert_accessible(admin_page)


def test_delete_confirmation(admin_page: Page, credentials) -> None:
    admin_page.goto(LIST)
    admin_page.get_by_role("button", name="More options for Kissmetrics web").click()
    admin_page.get_by_role("menuitem", name="Delete").click()
    expect(admin_page.get_by_role("alertdialog")).to_contain_text("Web events")
    assert_accessible(admin_page)


def test_test_connection_result_in_a_tile(admin_page: Page, credentials, settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    admin_page.goto(LIST)
    tile = admin_page.get_by_role("listitem").filter(has=admin_page.get_by_role("heading", name="Local API"))
    tile.get_by_role("button", name="More options for Local API").click()
    tile.get_by_role("menuitem", name="Test connection").click()
    # A test credential in production is not sent: said as information, not as a failure.
    expect(tile.get_by_role("status")).to_contain_text("Not tested.")
    assert_accessible(admin_page)


# The same screens without JavaScript: full pages


@pytest.mark.parametrize(
    "path",
    [
        LIST,
        f"{LIST}new/",
        f"{LIST}new/?connector=kissflow",
        "{list}{id}/rename/",
        "{list}{id}/delete/",
        "{list}{id}/edit/",
        "{list}{id}/test/",
        "/o/acme/connections/",
        "/o/acme/connections/new/?kind=destination",
        "/o/acme/connections/new/destination/kimp360/",
    ],
)
def test_full_pages_without_javascript(no_js_page: Page, credentials, path: str) -> None:
    no_js_page.goto(path.format(list=LIST, id=credentials[2].pk))
    expect(no_js_page.get_by_role("heading", level=1)).to_have_count(1)
    show_noscript(no_js_page)
    assert_accessible(no_js_page)


def test_no_javascript_overlay_page_with_errors_and_organization_rows(no_js_page: Page, organization) -> None:
    page = no_js_page
    page.goto(f"{LIST}new/")
    page.get_by_label("Org. Specific Authentication").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("alert").first).to_be_visible()
    show_noscript(page)
    assert_accessible(page)


def test_no_javascript_test_connection_result(no_js_page: Page, credentials, settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    no_js_page.goto(f"{LIST}{credentials[1].pk}/test/")
    no_js_page.get_by_role("button", name="Test connection").click()
    expect(no_js_page.get_by_role("status").filter(has_text="Not tested.")).to_be_visible()
    show_noscript(no_js_page)
    assert_accessible(no_js_page)


# Data sources and destinations


def test_connections_list_empty(admin_page: Page, organization) -> None:
    admin_page.goto("/o/acme/connections/")
    assert_accessible(admin_page)


def test_connections_list_with_active_and_revoked(admin_page: Page, credentials) -> None:
    admin_page.goto("/o/acme/connections/")
    expect(admin_page.get_by_role("row", name="Designs")).to_contain_text("Revoked")
    assert_accessible(admin_page)


def test_connector_choice(admin_page: Page, organization) -> None:
    admin_page.goto("/o/acme/connections/")
    admin_page.get_by_role("link", name="New data source").click()
    expect(admin_page.get_by_role("link", name="Kissflow")).to_be_visible()
    assert_accessible(admin_page)


def test_authenticate_and_name_steps(admin_page: Page, credentials) -> None:
    page = admin_page
    page.goto("/o/acme/connections/new/source/kissmetrics/")
    expect(page.get_by_role("heading", name="Authenticate")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Continue").click()  # nothing chosen yet: an error
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("radio", name="Kissmetrics web").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_label("Name")).to_be_focused()
    expect(page.get_by_label("Name")).to_have_value("Kissmetrics web source")  # a suggested name
    assert_accessible(page)
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create").click()  # no name: an error
    expect(page.get_by_text("This field is required.")).to_be_visible()
    assert_accessible(page)


def test_authenticate_with_no_credentials_of_the_type(admin_page: Page, organization) -> None:
    admin_page.goto("/o/acme/connections/new/destination/kismet/")
    expect(admin_page.get_by_role("link", name="Add Credential")).to_be_visible()
    assert_accessible(admin_page)


def test_settings_entry_without_the_credentials_feature(admin_page: Page, organization) -> None:
    organization.api_credentials_enabled = False
    organization.save(update_fields=["api_credentials_enabled"])
    admin_page.goto("/o/acme/settings/")
    expect(admin_page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(admin_page)


# Settings > API authentication and the audit log ------------------------------------------------

API_AUTHENTICATION = "/o/acme/settings/api-authentication/"


@pytest.fixture
def issued_keys(organization, admin_user) -> None:
    from credentials import keys

    keys.create_access_key(organization, "CI deploy", owner=admin_user)
    keys.create_access_key(organization, "Warehouse sync", system_generated=True)
    keys.create_api_key(organization, "Zapier", created_by=admin_user)


def test_api_authentication_page_with_keys_and_system_keys_shown(admin_page: Page, issued_keys) -> None:
    page = admin_page
    page.goto(API_AUTHENTICATION + "?system=1")
    expect(page.get_by_role("row", name=re.compile("Warehouse sync"))).to_be_visible()
    page.get_by_role("button", name="Show").first.click()
    assert_accessible(page)


def test_access_key_creation_secret_and_alert(admin_page: Page, organization) -> None:
    page = admin_page
    page.goto(API_AUTHENTICATION)
    page.get_by_role("link", name="Create access key").click()
    dialog = page.get_by_role("dialog", name="Create access key")
    expect(dialog).to_be_visible()
    assert_accessible(page)
    dialog.get_by_label("Name", exact=True).fill("CI deploy")
    dialog.get_by_role("button", name="Create access key").click()
    created = page.get_by_role("dialog", name="Access key “CI deploy” created")
    expect(created).to_be_visible()
    assert_accessible(page)
    created.get_by_role("link", name="Done").click()
    expect(page.get_by_role("alertdialog", name="Store your access key secret")).to_be_visible()
    assert_accessible(page)


def test_api_keys_deprecated_banner(admin_page: Page, organization, issued_keys) -> None:
    from datetime import timedelta

    from django.utils import timezone

    organization.api_key_policy = Organization.APIKeyPolicy.DEPRECATED
    organization.api_key_sunset_at = timezone.now() + timedelta(days=30)
    organization.save()
    admin_page.goto(API_AUTHENTICATION)
    assert_accessible(admin_page)


def test_audit_log_page(admin_page: Page, credentials) -> None:
    from credentials import audit

    audit.record("credential.created", organization=credentials[0].organization, target=credentials[0])
    admin_page.goto("/o/acme/settings/audit-log/")
    expect(admin_page.get_by_role("table")).to_be_visible()
    assert_accessible(admin_page)
