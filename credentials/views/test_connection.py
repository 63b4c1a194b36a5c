"""Test connection: one request to a credential's Base URL, reported in words inside its tile."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from credentials import audit, gate, outbound
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Credential, Organization

TEMPLATE = "credentials/credential_test.html"


def run_tests(credential: Credential, organization_slug: str = "") -> list[tuple[str, outbound.TestResult]]:
    """Test the credential, for each of its organizations when it is org-specific (or only the one chosen).

    Returns (who, result) pairs, ``who`` being the organization's name or "" for a plain credential.
    """
    organizations = outbound.test_organizations(credential)
    if organization_slug:
        organizations = [o for o in organizations if o is not None and o.slug == organization_slug]
    if not organizations:
        # An org-specific credential without rows: let test_credential say what is missing.
        return [("", outbound.test_credential(credential))]
    return [(o.name if o else "", outbound.test_credential(credential, o)) for o in organizations]


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_test(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = gate.credential_for(organization, credential_id)
    context = {"organization": organization, "credential": credential, "results": None}
    if request.method == "POST":
        results = run_tests(credential, request.POST.get("organization", ""))
        audit.record(
            "credential.tested",
            organization=organization,
            actor=request.user,
            target=credential,
            request=request,
            outcomes=[{"organization": r.organization, "outcome": r.outcome} for _, r in results],
        )
        context["results"] = results
        context["all_ok"] = all(result.ok for _, result in results)
        if request.htmx:
            return render(request, f"{TEMPLATE}#test-results", context)
    return render(request, TEMPLATE, context)
