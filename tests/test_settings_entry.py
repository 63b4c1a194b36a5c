"""The Settings entry for an organization whose API credentials feature is off: a page, never a redirect loop."""

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


@pytest.mark.urls("tests.urls_without_api_authentication")
def test_without_any_settings_page_the_entry_renders_a_landing_page(admin_client: Client, flag_off) -> None:
    response = admin_client.get("/o/acme/settings/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Settings for Acme" in html
    assert "API credentials management is not turned on for Acme" in html
    assert "/o/acme/settings/integrations/credentials/" not in html  # no link to a page that answers 404
    assert "/o/acme/connections/" not in html


def test_with_the_feature_on_the_entry_opens_credentials(admin_client: Client, organization) -> None:
    response = admin_client.get("/o/acme/settings/")
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/settings/integrations/credentials/"
