"""Settings > API authentication: a key's More options › Permissions, which credentials it may use through
the credential proxy. Only where the organization has API credentials turned on (else there are none)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from credentials import credential_permissions, gate
from credentials.actions import access_keys as access_key_actions
from credentials.api_authentication_page import TEMPLATE, page_context, page_url
from credentials.forms.credential_permissions import CredentialPermissionsForm
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Organization
from credentials.views.rendering import changed, render_page_or_partial

PERMISSIONS = "api_authentication/access_key_permissions.html"


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def access_key_permissions(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    form = CredentialPermissionsForm(
        organization, request.POST if request.method == "POST" else None, access_key=access_key
    )
    if request.method == "POST" and form.is_valid():
        changed_now = access_key_actions.do_set_credential_permissions(
            organization, access_key, form.access, form.credentials, actor=request.user, request=request
        )
        access_key.refresh_from_db()
        words = credential_permissions.summary(access_key)
        message = f"Access key “{access_key.name}”: {words[0].lower()}{words[1:]}."
        if not changed_now:
            message = f"Access key “{access_key.name}” already {words[0].lower()}{words[1:]}: nothing changed."
        context = page_context(request, organization, access_keys_status=message)
        return changed(request, page_url(organization), TEMPLATE, context, "access-keys")
    context = {"organization": organization, "access_key": access_key, "permissions_form": form}
    return render_page_or_partial(request, PERMISSIONS, context, "permissions-form", status=422 if form.errors else 200)
