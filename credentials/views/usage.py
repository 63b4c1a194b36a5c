"""Settings > Integrations > Credentials: a credential's Usage, the calls programs made with it through the
credential proxy, newest first, 50 a page by position (the thousandth page costs what the first does)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from credentials import gate, paging, tile_facts
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Organization

TEMPLATE = "credentials/credential_usage.html"
PAGE_SIZE = 50
# Newest first along the (credential, -at, -id) index.
ORDERING = [("at", True), ("id", True)]


@organization_admin(feature=API_CREDENTIALS)
@require_GET
def credential_usage(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = tile_facts.attach(organization, [gate.credential_for(organization, credential_id)])[0]
    records = gate.usage_records_for(organization, credential).select_related("child_organization")
    page = paging.keyset_page(records, ORDERING, request.GET, PAGE_SIZE)
    # The address a program calls, as this request reached credhub (behind a proxy: SECURE_PROXY_SSL_HEADER).
    proxy_url = request.build_absolute_uri(reverse("api_v1:proxy", kwargs={"credential_id": credential.pk, "path": ""}))
    context = {
        "organization": organization,
        "credential": credential,
        "page": page,
        "proxy_url": proxy_url,
        "settings_page": "integrations",
    }
    # The page links swap the table only; a plain request (no JavaScript) gets the whole page.
    template = f"{TEMPLATE}#usage-results" if request.htmx and not request.htmx.boosted else TEMPLATE
    return render(request, template, context)
