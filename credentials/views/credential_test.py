"""Test connection: one request to a credential's Base URL, reported in words inside its tile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from credentials import gate, tile_facts
from credentials.actions.credentials import do_test_credential
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Organization

TEMPLATE = "credentials/credential_test.html"


@sensitive_variables()  # the frames below hold the decrypted secrets while the request is sent
@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_test(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = gate.credential_for(organization, credential_id)
    context = {"organization": organization, "credential": credential, "results": None, "settings_page": "integrations"}
    if request.method == "POST":
        tested = do_test_credential(
            credential, request.POST.get("organization", ""), actor=request.user, request=request
        )
        results = [(org.name if org else "", result) for org, result in tested]
        credential.refresh_from_db(fields=["last_used_at"])
        tile_facts.attach(organization, [credential])
        context["results"] = results
        context["all_ok"] = all(result.ok for _, result in results)
        if request.htmx:
            return render(request, f"{TEMPLATE}#test-results", context)
    return render(request, TEMPLATE, context)
