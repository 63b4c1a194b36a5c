"""The Content-Security-Policy holds in the browser, and the browser tests notice when it is broken."""

from __future__ import annotations

from playwright.sync_api import Browser

from tests.browser.conftest import sign_in, watch_csp


def test_pages_run_under_the_policy_and_a_violation_is_caught(browser: Browser, live_server, admin_user) -> None:
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    violations = watch_csp(page)
    response = page.goto("/accounts/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy
    sign_in(page, admin_user.username)
    # htmx is configured not to inject its indicator <style>: the page has no style element at all.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert page.evaluate("typeof htmx !== 'undefined' && htmx.config.includeIndicatorStyles") is False
    assert violations == [] and page.evaluate("window.__cspViolations") == []
    # An inline style is refused by the browser and reported to the test.
    page.evaluate("document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in page.evaluate("window.__cspViolations[0]")
    context.close()
