"""The Settings entry: the first settings page the organization has, never a redirect loop."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def flag_off(organization):
    organization.api_credentials_enabled = False
    organization.save(update_fields=["api_credentials_enabled"])
    return organization


def test_a_single_organization_admin_with_the_feature_off_reaches_a_page(admin_client: Client, flag_off) -> None:
    # Whatever settings pages exist, following the redirects from home ends on a page, not in a loop.
    response = admin_client.get("/", follow=True)
    assert response.status_code == 200
    assert len(response.redirect_chain) <= 2
    assert response.redirect_chain[-1][0].startswith("/o/acme/settings/")


def test_with_the_feature_off_the_entry_opens_api_authentication(admin_client: Client, flag_off) -> None:
    response = admin_client.get("/o/acme/settings/", follow=True)
    assert response.redirect_chain == [("/o/acme/settings/api-authentication/", 302)]
    html = response.content.decode()
    assert "/o/acme/settings/integrations/credentials/" not in html  # no link to a page that answers 404


def test_with_the_feature_on_the_entry_opens_credentials(admin_client: Client, organization) -> None:
    response = admin_client.get("/o/acme/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/settings/integrations/credentials/"


@pytest.mark.parametrize(
    "path, current",
    [
        ("/o/acme/settings/integrations/credentials/", "Integrations"),
        ("/o/acme/settings/integrations/credentials/new/", "Integrations"),
        ("/o/acme/settings/api-authentication/", "API authentication"),
        ("/o/acme/settings/api-authentication/access-keys/new/", "API authentication"),
        ("/o/acme/settings/audit-log/", "Audit log"),
    ],
)
def test_the_settings_navigation_marks_the_page_it_is_on(admin_client: Client, organization, path, current) -> None:
    html = admin_client.get(path).content.decode()
    nav = html.split('aria-label="Settings"', 1)[1].split("</nav>", 1)[0]
    marked = [item for item in nav.split("<li>") if 'aria-current="page"' in item]
    assert len(marked) == 1 and f">{current}</a>" in marked[0]


def test_the_header_marks_data_sources_on_the_connection_pages(admin_client: Client, organization) -> None:
    for path in ("/o/acme/connections/", "/o/acme/connections/new/", "/o/acme/connections/new/source/kissmetrics/"):
        html = admin_client.get(path).content.decode()
        assert 'aria-current="page">Data sources and destinations</a>' in html, path
