"""The Settings entry point: sends an admin to the first settings page the organization has."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from credentials.gate import organization_admin
from credentials.models import Organization


@organization_admin()
def settings_home(request: HttpRequest, organization: Organization) -> HttpResponse:
    # Credentials and Webhooks exists only with the feature flag on; API authentication always does.
    page = "credential_list" if organization.api_credentials_enabled else "api_authentication"
    return redirect(reverse(page, args=[organization.slug]))
