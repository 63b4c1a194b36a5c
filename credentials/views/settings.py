"""The Settings entry point: sends an admin to the first settings page the organization has."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from credentials.gate import organization_admin
from credentials.models import Organization


@organization_admin()
def settings_home(request: HttpRequest, organization: Organization) -> HttpResponse:
    if organization.api_credentials_enabled:
        return redirect(reverse("credential_list", args=[organization.slug]))
    try:
        return redirect(reverse("api_authentication", args=[organization.slug]))
    except NoReverseMatch:
        # No settings page exists for this organization yet. Home would send a single-organization
        # admin straight back here, so answer with a landing page rather than a redirect loop.
        return render(request, "settings/landing.html", {"organization": organization, "section": "settings"})
