"""Settings > API authentication: account identifiers, the debug session key, access keys, their
expiry policy, and legacy API keys. For Organization Admins, whatever the API credentials flag says.

A secret (access key secret, API key) is rendered exactly once, in the response to the request that
made it, with ``Cache-Control: no-store``; it is never stored or served again.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from credentials import audit, gate, keys
from credentials.forms.access_keys import (
    AccessKeyForm,
    APIKeyForm,
    ExpiryPolicyForm,
    RenameAccessKeyForm,
    api_keys_can_be_generated,
)
from credentials.gate import organization_admin
from credentials.models import Organization
from credentials.revocation import delete_access_key

TEMPLATE = "api_authentication/api_authentication.html"
CLOSE_DIALOG = "credhub:close-dialog"
NO_NEW_API_KEYS = "API keys can no longer be generated for this organization. Create an access key instead."


def _show_system(request: HttpRequest) -> bool:
    """The "Show system-generated" filter, from this request or (for htmx actions) the page's URL."""
    if request.method == "GET":  # the filter form itself, or a reload of the page's URL
        return request.GET.get("system") == "1"
    if request.htmx and request.htmx.current_url:
        return parse_qs(urlsplit(request.htmx.current_url).query).get("system") == ["1"]
    return False


def _page_url(organization: Organization) -> str:
    return reverse("api_authentication", args=[organization.slug])


def _context(request: HttpRequest, organization: Organization, **extra) -> dict:
    show_system = _show_system(request)
    access_keys = gate.access_keys_for(organization).select_related("owner")
    hidden_system_keys = 0
    if not show_system:
        hidden_system_keys = access_keys.filter(system_generated=True).count()
        access_keys = access_keys.filter(system_generated=False)
    context = {
        "hidden_system_keys": hidden_system_keys,
        "organization": organization,
        "settings_page": "api_authentication",
        "show_system": show_system,
        "access_keys": access_keys,
        "api_keys": gate.api_keys_for(organization),
        "api_keys_can_be_generated": api_keys_can_be_generated(organization),
        "api_keys_refusal": keys.api_key_refusal(organization, timezone.now()),
        "now": timezone.now(),
    }
    context.setdefault("expiry_form", ExpiryPolicyForm(organization))
    context.setdefault("api_key_form", APIKeyForm())
    context.update(extra)
    return context


def _section(request: HttpRequest, organization: Organization, partial: str, status: int = 200, **extra):
    """An htmx request gets the section; a plain one the whole page."""
    context = _context(request, organization, **extra)
    if request.htmx:
        return render(request, f"{TEMPLATE}#{partial}", context)
    return render(request, TEMPLATE, context, status=status)


@organization_admin()
@require_http_methods(["GET"])
def api_authentication(request: HttpRequest, organization: Organization) -> HttpResponse:
    if request.htmx and request.htmx.target == "access-keys":
        return render(request, f"{TEMPLATE}#access-keys", _context(request, organization))
    return render(request, TEMPLATE, _context(request, organization))


# Debug session key ------------------------------------------------------------------------------


@never_cache
@organization_admin()
@require_POST
def debug_key_show(request: HttpRequest, organization: Organization) -> HttpResponse:
    audit.record("debug_session_key.revealed", organization=organization, target=organization, request=request)
    return _section(request, organization, "debug-key", debug_key_shown=True)


@never_cache
@organization_admin()
@require_POST
def debug_key_regenerate(request: HttpRequest, organization: Organization) -> HttpResponse:
    keys.regenerate_debug_session_key(organization)
    audit.record("debug_session_key.regenerated", organization=organization, target=organization, request=request)
    return _section(
        request, organization, "debug-key", debug_key_shown=True, debug_key_status="Debug session key regenerated."
    )


# Access keys ------------------------------------------------------------------------------------


def _access_keys_changed(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    """After a rename or delete: htmx swaps the access key list and closes any dialog."""
    if not request.htmx:
        return redirect(_page_url(organization))
    response = render(request, f"{TEMPLATE}#access-keys", _context(request, organization, access_keys_status=message))
    response = reswap(retarget(response, "#access-keys"), "outerHTML")
    return trigger_client_event(response, CLOSE_DIALOG)


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = AccessKeyForm(organization, request.POST if request.method == "POST" else None)
    template = "api_authentication/access_key_create.html"
    if request.method == "POST" and form.is_valid():
        access_key, secret = keys.create_access_key(
            organization, form.cleaned_data["name"], owner=request.user, expires_at=form.expires_at()
        )
        audit.record(
            "access_key.created",
            organization=organization,
            target=access_key,
            request=request,
            key_id=access_key.key_id,
            expires_at=access_key.expires_at.isoformat() if access_key.expires_at else None,
        )
        context = _context(
            request,
            organization,
            access_key=access_key,
            secret=secret,
            access_keys_status=f"Access key “{access_key.name}” created.",
        )
        created = "api_authentication/access_key_created.html"
        return render(request, f"{created}#created" if request.htmx else created, context)
    context = {"organization": organization, "settings_page": "api_authentication", "form": form}
    status = 422 if form.errors and not request.htmx else 200
    return render(request, f"{template}#create-form" if request.htmx else template, context, status=status)


@organization_admin()
@require_http_methods(["GET"])
def access_key_row(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = get_object_or_404(gate.access_keys_for(organization), pk=access_key_id)
    return render(request, f"{TEMPLATE}#access-key-row", _context(request, organization, access_key=access_key))


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_rename(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = get_object_or_404(gate.access_keys_for(organization), pk=access_key_id)
    form = RenameAccessKeyForm(access_key, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.save(request):
        if not request.htmx:
            return redirect(_page_url(organization))
        context = _context(request, organization, access_key=access_key, row_status=f"Renamed to “{access_key.name}”.")
        return render(request, f"{TEMPLATE}#access-key-row", context)
    context = _context(request, organization, access_key=access_key, rename_form=form)
    if request.htmx:
        return render(request, f"{TEMPLATE}#access-key-row", context)
    status = 422 if form.errors else 200
    return render(request, "api_authentication/access_key_rename.html", context, status=status)


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_delete(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = get_object_or_404(gate.access_keys_for(organization), pk=access_key_id)
    if request.method == "POST":
        name = access_key.name
        revoked = delete_access_key(access_key, request=request)
        message = f"Access key “{name}” deleted."
        if revoked:
            message += f" Revoked connections: {', '.join(revoked)}."
        return _access_keys_changed(request, organization, message)
    context = {
        "organization": organization,
        "settings_page": "api_authentication",
        "access_key": access_key,
        "connections": access_key.connections.filter(status="active").order_by("name"),
    }
    template = "api_authentication/access_key_delete.html"
    return render(request, f"{template}#delete-confirm" if request.htmx else template, context)


@organization_admin()
@require_POST
def expiry_settings(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = ExpiryPolicyForm(organization, request.POST)
    if form.save(request):
        if not request.htmx:
            return redirect(_page_url(organization))
        return _section(request, organization, "expiry-settings", expiry_status="Expiry settings saved.")
    return _section(request, organization, "expiry-settings", status=422, expiry_form=form)


# Legacy API keys --------------------------------------------------------------------------------


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_POST
def api_key_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    if not api_keys_can_be_generated(organization):
        return _section(request, organization, "api-keys", status=403, api_keys_error=NO_NEW_API_KEYS)
    form = APIKeyForm(request.POST)
    if not form.is_valid():
        return _section(request, organization, "api-keys", status=422, api_key_form=form)
    api_key, key = keys.create_api_key(organization, form.cleaned_data["name"], created_by=request.user)
    audit.record("api_key.created", organization=organization, target=api_key, request=request, prefix=api_key.prefix)
    return _section(request, organization, "api-keys", new_api_key=key, new_api_key_record=api_key)


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_regenerate(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    api_key = get_object_or_404(gate.api_keys_for(organization), pk=api_key_id)
    if not api_keys_can_be_generated(organization):
        return _section(request, organization, "api-keys", status=403, api_keys_error=NO_NEW_API_KEYS)
    if request.method == "POST":
        old_prefix = api_key.prefix
        key = keys.regenerate_api_key(api_key)
        audit.record(
            "api_key.regenerated",
            organization=organization,
            target=api_key,
            request=request,
            old_prefix=old_prefix,
            prefix=api_key.prefix,
        )
        response = _section(request, organization, "api-keys", new_api_key=key, new_api_key_record=api_key)
        if request.htmx:
            response = trigger_client_event(reswap(retarget(response, "#api-keys"), "outerHTML"), CLOSE_DIALOG)
        return response
    return _api_key_confirm(request, organization, api_key, "regenerate")


@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_delete(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    api_key = get_object_or_404(gate.api_keys_for(organization), pk=api_key_id)
    if request.method == "POST":
        name = api_key.name
        audit.record(
            "api_key.deleted", organization=organization, target=api_key, request=request, prefix=api_key.prefix
        )
        api_key.delete()
        if not request.htmx:
            return redirect(_page_url(organization))
        response = _section(request, organization, "api-keys", api_keys_status=f"API key “{name}” deleted.")
        return trigger_client_event(reswap(retarget(response, "#api-keys"), "outerHTML"), CLOSE_DIALOG)
    return _api_key_confirm(request, organization, api_key, "delete")


def _api_key_confirm(request: HttpRequest, organization: Organization, api_key, action: str) -> HttpResponse:
    context = {
        "organization": organization,
        "settings_page": "api_authentication",
        "api_key": api_key,
        "action": action,
    }
    template = "api_authentication/api_key_confirm.html"
    return render(request, f"{template}#api-key-confirm" if request.htmx else template, context)
