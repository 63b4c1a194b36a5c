"""The Webhooks tab in a real browser, against a real loopback receiver that verifies every delivery."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook
from werkzeug import Request, Response

from credentials.models import WebhookDelivery, WebhookEndpoint

PAGE = "/o/acme/settings/integrations/webhooks/"


def receiver(httpserver) -> list[Request]:
    received: list[Request] = []

    def handle(request: Request) -> Response:
        received.append(request)
        return Response("thanks", status=200)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handle)
    return received


def open_menu(page: Page, name: str) -> None:
    page.get_by_role("button", name=f"More options for {name}").click()


def test_add_test_disable_roll_log_resend_and_delete(admin_page: Page, httpserver) -> None:
    page = admin_page
    received = receiver(httpserver)
    page.goto(PAGE)
    expect(page.get_by_role("heading", name="No webhook endpoints yet")).to_be_visible()
    page.get_by_role("link", name="Add endpoint").click()
    dialog = page.get_by_role("dialog", name="Add endpoint")
    expect(dialog).to_be_visible()
    dialog.get_by_label("Name").fill("Ops")
    dialog.get_by_label("Endpoint URL").fill("ftp://files.example.com")
    dialog.get_by_role("button", name="Add endpoint").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Enter an http:// or https:// URL")
    expect(dialog.get_by_label("Name")).to_have_value("Ops")
    dialog.get_by_label("Endpoint URL").fill(httpserver.url_for("/hook"))
    dialog.get_by_role("button", name="Add endpoint").click()

    shown = page.get_by_role("dialog", name="Endpoint “Ops” added")
    expect(shown).to_be_visible()
    secret = shown.get_by_label("Signing secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    expect(shown.get_by_role("button", name="Copy Signing secret")).to_be_visible()
    shown.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="Ops")).to_be_visible()
    assert secret not in page.content()

    open_menu(page, "Ops")
    page.get_by_role("menuitem", name="Send test event").click()
    expect(page.locator("#endpoint-list")).to_contain_text("Test event delivered: HTTP 200")
    assert Webhook(secret).verify(received[0].get_data(), dict(received[0].headers))["type"] == "webhook.test"

    open_menu(page, "Ops")
    page.get_by_role("menuitem", name="Disable").click()
    expect(page.locator("#endpoint-list")).to_contain_text("Endpoint “Ops” disabled.")
    expect(page.locator("#endpoint-list .badge")).to_have_text("Disabled")
    open_menu(page, "Ops")
    page.get_by_role("menuitem", name="Enable").click()
    expect(page.locator("#endpoint-list")).to_contain_text("Endpoint “Ops” enabled.")

    open_menu(page, "Ops")
    page.get_by_role("menuitem", name="Roll signing secret").click()
    confirm = page.get_by_role("alertdialog", name="Roll the signing secret of “Ops”?")
    confirm.get_by_role("button", name="Roll signing secret").click()
    rolled = page.get_by_role("alertdialog", name="New signing secret for “Ops”")
    new_secret = rolled.get_by_label("Signing secret", exact=True).input_value()
    assert new_secret.startswith("whsec_") and new_secret != secret
    rolled.get_by_role("link", name="Done").click()

    page.get_by_role("link", name="Delivery log of Ops").click()
    expect(page.get_by_role("heading", name="Delivery log of “Ops”")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("webhook.test"))).to_contain_text("Succeeded")
    page.get_by_role("link", name="webhook.test").click()
    delivery = WebhookDelivery.objects.get()
    expect(page.get_by_label("Payload")).to_contain_text('"type": "webhook.test"')
    expect(page.get_by_label("Response body")).to_have_text("thanks")
    page.get_by_role("button", name="Resend").click()
    expect(page.locator(".status-message")).to_contain_text("The webhook.test event is queued again.")
    assert WebhookDelivery.objects.filter(event_id=delivery.event_id).count() == 2

    page.goto(PAGE)
    open_menu(page, "Ops")
    page.get_by_role("menuitem", name="Delete").click()
    page.get_by_role("alertdialog", name="Delete “Ops”?").get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="No webhook endpoints yet")).to_be_visible()
    assert not WebhookEndpoint.objects.exists()


def test_add_endpoint_without_javascript(no_js_page: Page, httpserver) -> None:
    page = no_js_page
    page.goto(PAGE)
    page.get_by_role("link", name="Add endpoint").click()
    page.get_by_label("Name").fill("Ops")
    page.get_by_label("Endpoint URL").fill(httpserver.url_for("/hook"))
    page.get_by_label("api_key.created").check()
    page.get_by_role("button", name="Add endpoint").click()
    secret = page.get_by_label("Signing secret", exact=True).input_value()
    assert secret.startswith("whsec_")
    page.get_by_role("link", name="Done").click()
    expect(page.get_by_role("heading", name="Ops")).to_be_visible()
    assert WebhookEndpoint.objects.get().events == ["api_key.created"]


def test_every_webhooks_screen_passes_axe(admin_page: Page, organization, admin_user, httpserver) -> None:
    from credentials.actions import webhooks as actions
    from tests.browser.test_accessibility import assert_accessible

    page = admin_page
    receiver(httpserver)
    page.goto(PAGE)
    assert_accessible(page)
    page.get_by_role("link", name="Add endpoint").click()
    dialog = page.get_by_role("dialog", name="Add endpoint")
    dialog.get_by_role("button", name="Add endpoint").click()
    expect(dialog.get_by_role("alert").first).to_be_visible()
    assert_accessible(page)

    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=httpserver.url_for("/hook"), event_types=["webhook.test"], actor=admin_user
    )
    actions.do_send_test_event(organization, endpoint, actor=admin_user)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_reason="Disabled automatically: every delivery failed for 5 days."
    )
    page.goto(PAGE)
    expect(page.get_by_role("note")).to_contain_text("Disabled automatically")
    open_menu(page, "Ops")
    assert_accessible(page)
    page.get_by_role("link", name="Delivery log of Ops").click()
    assert_accessible(page)
    page.get_by_role("link", name="webhook.test").click()
    assert_accessible(page)
