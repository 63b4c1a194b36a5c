"""Settings > API authentication: deactivating, reactivating and rolling keys, and the addresses they
may be used from, from each key's More options menu. The page, its list and its dialogs are those of
:mod:`credentials.views.api_authentication`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods

from credentials import allowed_addresses, gate, keys
from credentials.actions import access_keys as access_key_actions
from credentials.actions import api_keys as api_key_actions
from credentials.api_authentication_page import TEMPLATE, api_key_confirm, page_context, page_url
from credentials.forms.access_keys import AllowedAddressesForm, RollKeyForm
from credentials.gate import organization_admin
from credentials.models import Organization
from credentials.views.rendering import changed, render_page_or_partial

ADDRESSES = "api_authentication/access_key_addresses.html"
CONFIRM = "api_authentication/access_key_confirm.html"
ROLL = "api_authentication/access_key_roll.html"
# The new secret is shown on Create access key's own screens: copy, download, Done, then the alert.
CREATED = "api_authentication/access_key_created.html"


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_roll(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    now = timezone.now()
    form = RollKeyForm(access_key, now, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        secret = access_key_actions.do_roll_access_key(
            organization, access_key, form.grace_period(), actor=request.user, request=request
        )
        context = page_context(
            request,
            organization,
            access_key=access_key,
            secret=secret,
            rolled=True,
            access_keys_status=f"Access key “{access_key.name}” rolled.",
        )
        return render_page_or_partial(request, CREATED, context, "created")
    context = {"organization": organization, "access_key": access_key, "form": form, "now": now}
    return render_page_or_partial(request, ROLL, context, "roll-form", status=422 if form.errors else 200)


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_deactivate(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    if request.method == "POST":
        access_key_actions.do_deactivate_access_key(organization, access_key, actor=request.user, request=request)
        message = f"Access key “{access_key.name}” deactivated: it refuses every request until you reactivate it."
        context = page_context(request, organization, access_keys_status=message)
        return changed(request, page_url(organization), TEMPLATE, context, "access-keys")
    context = {"organization": organization, "access_key": access_key, "action": "deactivate"}
    return render_page_or_partial(request, CONFIRM, context, "key-confirm")


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_reactivate(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    if request.method == "POST":
        access_key_actions.do_reactivate_access_key(organization, access_key, actor=request.user, request=request)
        context = page_context(request, organization, access_keys_status=f"Access key “{access_key.name}” reactivated.")
        return changed(request, page_url(organization), TEMPLATE, context, "access-keys")
    context = {"organization": organization, "access_key": access_key, "action": "reactivate"}
    return render_page_or_partial(request, CONFIRM, context, "key-confirm")


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_addresses(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    form = AllowedAddressesForm(access_key, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        changed_now = access_key_actions.do_set_allowed_addresses(
            organization, access_key, form.cleaned_data["allowed_addresses"], actor=request.user, request=request
        )
        where = allowed_addresses.summary(access_key.allowed_addresses).lower() or "usable from any address"
        message = f"Access key “{access_key.name}”: {where}."
        if not changed_now:
            message = f"Access key “{access_key.name}” is already {where}: nothing changed."
        context = page_context(request, organization, access_keys_status=message)
        return changed(request, page_url(organization), TEMPLATE, context, "access-keys")
    context = {"organization": organization, "access_key": access_key, "form": form}
    return render_page_or_partial(request, ADDRESSES, context, "addresses-form", status=422 if form.errors else 200)


def _api_key_change(request: HttpRequest, organization: Organization, api_key_id, action: str) -> HttpResponse:
    api_key = gate.api_key_for(organization, api_key_id)
    # Offered only while the organization's API keys work: otherwise every API key is refused anyway.
    if keys.api_key_refusal(organization, timezone.now()) is not None:
        return render_page_or_partial(
            request,
            TEMPLATE,
            page_context(request, organization, api_keys_error="API keys are refused for this organization."),
            "api-keys",
            status=403,
        )
    if request.method != "POST":
        return api_key_confirm(request, organization, api_key, action)
    if action == "deactivate":
        api_key_actions.do_deactivate_api_key(organization, api_key, actor=request.user, request=request)
        message = f"API key “{api_key.name}” deactivated: it refuses every request until you reactivate it."
    else:
        api_key_actions.do_reactivate_api_key(organization, api_key, actor=request.user, request=request)
        message = f"API key “{api_key.name}” reactivated."
    context = page_context(request, organization, api_keys_status=message)
    return changed(request, page_url(organization), TEMPLATE, context, "api-keys")


@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_deactivate(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    return _api_key_change(request, organization, api_key_id, "deactivate")


@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_reactivate(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    return _api_key_change(request, organization, api_key_id, "reactivate")
