"""Browser fixtures: the machine's Chromium driven by Playwright against pytest-django's live server."""

from __future__ import annotations

import os
import shutil

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test
# body are still plain synchronous calls, so the async-safety check does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def browser() -> Browser:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# Every page records the Content-Security-Policy violations it meets; a test that met one fails.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
});
"""


def watch_csp(page: Page) -> list[str]:
    """Collect CSP violations (the page's own events and Chromium's console reports) into a list."""
    violations: list[str] = []
    page.add_init_script(RECORD_CSP_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    return violations


# Every page counts its htmx requests in flight on <html data-htmx-in-flight>: a test waits for the count to
# fall to 0 (every answer swapped in, or cancelled by a newer request) instead of waiting for some time.
# htmx fires afterRequest for each request it began, answered, failed or aborted, after the answer was
# swapped in. An attribute, not a global: waiting on a JavaScript expression would need eval, which the CSP
# refuses.
COUNT_HTMX_REQUESTS = """
(() => {
    let inFlight = 0;
    const mark = () => {
        if (document.documentElement) document.documentElement.setAttribute("data-htmx-in-flight", String(inFlight));
    };
    mark();
    document.addEventListener("DOMContentLoaded", mark);
    document.addEventListener("htmx:beforeRequest", () => { inFlight += 1; mark(); });
    document.addEventListener("htmx:afterRequest", () => { inFlight -= 1; mark(); });
})();
"""


def status_message(page: Page, text: str) -> Locator:
    """The page's status message saying ``text``; not the screen readers' live region (#announcer), which
    repeats a dialog's outcome 50 ms after it closes and would make the locator match twice."""
    return page.locator("[role=status]:not(#announcer)").filter(has_text=text)


def settled(page: Page) -> None:
    """Wait until no htmx request is in flight: every redraw asked for so far is on the page."""
    expect(page.locator("html")).to_have_attribute("data-htmx-in-flight", "0")


def assert_no_csp_violation(page: Page, violations: list[str]) -> None:
    try:
        violations += page.evaluate("window.__cspViolations || []")
    except Exception:  # the page is gone (closed or navigating): the console reports still count
        pass
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(browser: Browser, live_server) -> Page:
    """A fresh page; the test fails if the page throws or logs a console error, whatever it asserted."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.add_init_script(COUNT_HTMX_REQUESTS)
    violations = watch_csp(page)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))

    def on_console(message) -> None:
        # A page that answers 403/404 on purpose is reported by Chromium as a failed load of the page itself;
        # htmx reports a request it cancelled for a newer one (hx-sync) as sendAbort + afterRequest, while a
        # failure has an event of its own (sendError, responseError, swapError).
        if message.type != "error" or message.location.get("url") == page.url:
            return
        if not message.text.startswith(("htmx:sendAbort", "htmx:afterRequest")):
            errors.append(f"console: {message.text}")

    page.on("console", on_console)
    yield page
    assert_no_csp_violation(page, violations)
    context.close()
    assert not errors, "JavaScript errors on the page:\n" + "\n".join(errors)


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


@pytest.fixture
def admin_page(page: Page, admin_user) -> Page:
    sign_in(page, admin_user.username)
    return page


@pytest.fixture
def no_js_page(browser: Browser, live_server, admin_user) -> Page:
    """The page as a browser without JavaScript gets it.

    axe itself is JavaScript, and Playwright cannot evaluate scripts in a context with JavaScript
    turned off; so credhub's own scripts (htmx and static/credhub/*.js) are refused instead, which leaves
    exactly the no-JavaScript page, and :func:`show_noscript` renders its ``<noscript>`` parts.
    """
    context = browser.new_context(base_url=live_server.url)
    context.route("**/*.js", lambda route: route.abort())
    page = context.new_page()
    violations = watch_csp(page)
    sign_in(page, admin_user.username)
    yield page
    assert_no_csp_violation(page, violations)
    context.close()


def show_noscript(page: Page) -> None:
    """Render each ``<noscript>`` block as a browser without JavaScript does (the route above kept ours away)."""
    assert not page.evaluate("document.documentElement.classList.contains('js')")
    page.evaluate(
        """document.querySelectorAll("noscript").forEach((block) => {
            const shown = document.createElement("div");
            shown.innerHTML = block.textContent;
            block.replaceWith(shown);
        })"""
    )
