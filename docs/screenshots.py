"""`make screenshots`: every screen of the demo at 1440×900 and 390×844, written to docs/screenshots/.

Serves the demo from a throwaway SQLite database on a free loopback port (never db.sqlite3), drives the
machine's Chromium through it as acme-admin, and prints how wide each page is at 390 px, since a phone
must never scroll sideways. ``--out DIR`` writes elsewhere (e.g. to compare before and after).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
PASSWORD = "credhub-demo"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve_demo(port: int) -> subprocess.Popen:
    workdir = tempfile.mkdtemp(prefix="credhub-screenshots-")
    env = {
        **os.environ,
        "DEBUG": "1",
        "CREDHUB_ALLOW_PRIVATE_TARGETS": "1",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{Path(workdir) / 'demo.sqlite3'}",
    }
    python = sys.executable
    for command in (["migrate", "--noinput", "-v0"], ["createcachetable"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
            [python, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
    server = subprocess.Popen(  # noqa: S603
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # A busy machine may take a while to import Django and check the project: wait up to a minute.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return server
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("The demo server did not start.")


def sign_in(page: Page, username: str = "acme-admin") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Sign out").wait_for()


def open_menu_item(page: Page, tile: str, item: str) -> None:
    page.get_by_role("button", name=f"More options for {tile}").first.click()
    page.get_by_role("menuitem", name=item).click()


# Each screen: a name and the steps that reach it from a signed-in page.
def screens() -> list[tuple[str, Callable[[Page], None]]]:
    integrations = "/o/acme/settings/integrations/credentials/"
    api_auth = "/o/acme/settings/api-authentication/"
    webhooks = "/o/acme/settings/integrations/webhooks/"

    def add_credential(page: Page) -> None:
        page.goto(integrations)
        page.get_by_role("link", name="Add Credential").first.click()
        page.locator("#credential-dialog[open]").wait_for()

    def add_credential_errors(page: Page) -> None:
        add_credential(page)
        dialog = page.locator("#credential-dialog")
        dialog.get_by_label("Authentication type").select_option(label="Basic")
        dialog.get_by_label("Username", exact=True).wait_for()
        dialog.get_by_label("Base URL", exact=True).fill("api.example.com")
        dialog.get_by_role("button", name="Save", exact=True).click()
        dialog.locator(".error-summary").wait_for()

    def test_connection(page: Page) -> None:
        page.goto(integrations)
        open_menu_item(page, "Local echo", "Test connection")
        page.locator(".test-result").first.wait_for()

    def delete_confirm(page: Page) -> None:
        page.goto(integrations)
        open_menu_item(page, "Regional CRM", "Delete")
        page.locator("#confirm-dialog[open]").wait_for()

    def create_key(page: Page) -> None:
        page.goto(api_auth)
        page.get_by_role("link", name="Create access key").click()
        page.locator("#key-dialog[open]").wait_for()

    def key_created(page: Page) -> None:
        create_key(page)
        page.locator("#key-dialog").get_by_label("Name").fill("Screenshot key")
        page.locator("#key-dialog").get_by_role("button", name="Create access key").click()
        page.locator("#new-key-secret").wait_for()

    def secret_alert(page: Page) -> None:
        key_created(page)
        page.get_by_role("link", name="Done").click()
        page.locator("#secret-alert[open]").wait_for()

    def authenticate(page: Page) -> None:
        page.goto("/o/acme/connections/new/source/kissmetrics/")

    def key_dialog(item: str) -> Callable[[Page], None]:
        def reach(page: Page) -> None:
            page.goto(api_auth)
            open_menu_item(page, "Screenshot key", item)
            page.locator("#key-dialog[open], #confirm-dialog[open]").first.wait_for()

        return reach

    def usage(page: Page) -> None:
        page.goto(integrations)
        page.get_by_role("article", name="Local echo").get_by_role("link", name=re.compile("usage of")).click()
        page.get_by_role("textbox", name="Proxy URL").wait_for()

    def add_endpoint(page: Page) -> None:
        page.goto(webhooks)
        page.get_by_role("link", name="Add endpoint").first.click()
        page.locator("#webhook-dialog[open]").wait_for()

    def connection_detail(page: Page) -> None:
        page.goto("/o/acme/connections/")
        page.get_by_role("link", name="Kissmetrics events").first.click()
        page.get_by_role("heading", name=re.compile("Kissmetrics events")).first.wait_for()

    return [
        ("sign-in", lambda page: page.goto("/accounts/login/")),
        ("credentials", lambda page: page.goto(integrations)),
        ("credential-add", add_credential),
        ("credential-add-errors", add_credential_errors),
        ("credential-test", test_connection),
        ("credential-delete", delete_confirm),
        ("api-authentication", lambda page: page.goto(api_auth)),
        ("access-key-create", create_key),
        ("access-key-created", key_created),
        ("access-key-secret-alert", secret_alert),
        ("access-key-permissions", key_dialog("Permissions")),
        ("access-key-roll", key_dialog("Roll key")),
        ("credential-usage", usage),
        ("webhooks", lambda page: page.goto(webhooks)),
        ("webhook-add", add_endpoint),
        ("audit-log", lambda page: page.goto("/o/acme/settings/audit-log/")),
        ("connections", lambda page: page.goto("/o/acme/connections/")),
        ("connection-new", lambda page: page.goto("/o/acme/connections/new/?kind=source")),
        ("connection-authenticate", authenticate),
        ("connection-detail", connection_detail),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = serve_demo(port)
    widths: list[tuple[str, int]] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            for size, (width, height) in SIZES.items():
                context = browser.new_context(
                    base_url=f"http://127.0.0.1:{port}", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                page.set_default_timeout(5_000)
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                for name, reach in screens():
                    if name == "sign-in":
                        reach(page)
                    else:
                        if not context.cookies():
                            sign_in(page)
                        try:
                            reach(page)
                        except PlaywrightError as error:
                            print(f"{name} ({size}) could not be reached: {error.message.splitlines()[0]}")
                            continue
                    page.wait_for_load_state("networkidle")
                    page.screenshot(path=args.out / f"{name}-{size}.png")
                    if size == "phone":
                        widths.append((name, page.evaluate("document.documentElement.scrollWidth")))
                    if name == "sign-in":
                        sign_in(page)
                context.close()
                for error in errors:
                    print(f"JavaScript error ({size}): {error}")
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print("Page width at 390 px (a wider page scrolls sideways):")
    for name, scroll_width in widths:
        print(f"  {name:26} {scroll_width:5} px{'  ← scrolls sideways' if scroll_width > 390 else ''}")


if __name__ == "__main__":
    main()
