"""Settings > API authentication: account identifiers, the debug session key, access keys, their
expiry policy, and legacy API keys. For Organization Admins, whatever the API credentials flag says.

A secret (access key secret, API key) is rendered exactly once, in the response to the request that
made it, with ``Cache-Control: no-store``; it is never stored or served again.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from credentials import gate
from credentials.actions import access_keys as access_key_actions
from credentials.actions import api_keys as api_key_actions
from credentials.actions import organizations as organization_actions
from credentials.actions.connections import active_connections_of
from credentials.api_authentication_page import TEMPLATE, api_key_confirm, page_context, page_url
from credentials.forms.access_keys import (
    AccessKeyForm,
    APIKeyForm,
    ExpiryPolicyForm,
    RenameAccessKeyForm,
    api_keys_can_be_generated,
)
from credentials.forms.credential_permissions import chosen, permissions_form_for
from credentials.gate import organization_admin
from credentials.models import Organization
from credentials.views.rendering import changed, render_page_or_partial, swap_and_close

NO_NEW_API_KEYS = "API keys can no longer be generated for this organization. Create an access key instead."


def _section(request: HttpRequest, organization: Organization, partial: str, status: int = 200, **extra):
    """An htmx request gets the section; a plain one the whole page."""
    return render_page_or_partial(
        request, TEMPLATE, page_context(request, organization, **extra), partial, status=status
    )


@organization_admin()
@require_http_methods(["GET"])
def api_authentication(request: HttpRequest, organization: Organization) -> HttpResponse:
    # The search and filter form swaps the results only (the search box keeps focus); older links the section.
    if request.htmx and request.htmx.target in ("access-keys", "access-key-results"):
        return render(request, f"{TEMPLATE}#{request.htmx.target}", page_context(request, organization))
    return render(request, TEMPLATE, page_context(request, organization))


# Debug session key ------------------------------------------------------------------------------


@never_cache
@organization_admin()
@require_POST
def debug_key_show(request: HttpRequest, organization: Organization) -> HttpResponse:
    organization_actions.do_reveal_debug_session_key(organization, actor=request.user, request=request)
    return _section(request, organization, "debug-key", debug_key_shown=True)


@never_cache
@organization_admin()
@require_POST
def debug_key_regenerate(request: HttpRequest, organization: Organization) -> HttpResponse:
    organization_actions.do_regenerate_debug_session_key(organization, actor=request.user, request=request)
    return _section(
        request, organization, "debug-key", debug_key_shown=True, debug_key_status="Debug session key regenerated."
    )


# Access keys ------------------------------------------------------------------------------------


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = AccessKeyForm(organization, request.POST if request.method == "POST" else None)
    permissions_form = permissions_form_for(organization, request.POST if request.method == "POST" else None)
    template = "api_authentication/access_key_create.html"
    permissions_valid = permissions_form is None or permissions_form.is_valid()
    if request.method == "POST" and form.is_valid() and permissions_valid:
        access_key, secret = access_key_actions.do_create_access_key(
            organization,
            form.cleaned_data["name"],
            form.expires_at(),
            actor=request.user,
            request=request,
            addresses=form.cleaned_data["allowed_addresses"],
            **chosen(permissions_form),
        )
        context = page_context(
            request,
            organization,
            access_key=access_key,
            secret=secret,
            access_keys_status=f"Access key “{access_key.name}” created.",
        )
        created = "api_authentication/access_key_created.html"
        return render_page_or_partial(request, created, context, "created")
    context = {"organization": organization, "form": form, "permissions_form": permissions_form}
    invalid = form.errors or (permissions_form is not None and permissions_form.errors)
    return render_page_or_partial(request, template, context, "create-form", status=422 if invalid else 200)


@organization_admin()
@require_http_methods(["GET"])
def access_key_row(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    return render(request, f"{TEMPLATE}#access-key-row", page_context(request, organization, access_key=access_key))


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_rename(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    form = RenameAccessKeyForm(access_key, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        access_key_actions.do_rename_access_key(
            organization, access_key, form.cleaned_data["name"], actor=request.user, request=request
        )
        if not request.htmx:
            return redirect(page_url(organization))
        context = page_context(
            request, organization, access_key=access_key, row_status=f"Renamed to “{access_key.name}”."
        )
        return render(request, f"{TEMPLATE}#access-key-row", context)
    context = page_context(request, organization, access_key=access_key, rename_form=form)
    if request.htmx:
        return render(request, f"{TEMPLATE}#access-key-row", context)
    status = 422 if form.errors else 200
    return render(request, "api_authentication/access_key_rename.html", context, status=status)


@organization_admin()
@require_http_methods(["GET", "POST"])
def access_key_delete(request: HttpRequest, organization: Organization, access_key_id) -> HttpResponse:
    access_key = gate.access_key_for(organization, access_key_id)
    if request.method == "POST":
        name = access_key.name
        revoked = access_key_actions.do_delete_access_key(organization, access_key, actor=request.user, request=request)
        message = f"Access key “{name}” deleted."
        if revoked:
            message += f" Revoked connections: {', '.join(revoked)}."
        context = page_context(request, organization, access_keys_status=message)
        return changed(request, page_url(organization), TEMPLATE, context, "access-keys")
    context = {"organization": organization, "access_key": access_key, "connections": active_connections_of(access_key)}
    return render_page_or_partial(request, "api_authentication/access_key_delete.html", context, "delete-confirm")


@organization_admin()
@require_POST
def expiry_settings(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = ExpiryPolicyForm(organization, request.POST)
    if form.is_valid():
        organization_actions.do_change_expiry_policy(
            organization,
            form.cleaned_data["periods"],
            form.cleaned_data["allow_no_expiry"],
            form.default_days,
            actor=request.user,
            request=request,
            max_lifetime=form.cleaned_data["max_lifetime"],
            max_lifetime_grace_until=form.grace_until,
        )
        if not request.htmx:
            return redirect(page_url(organization))
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
    api_key, key = api_key_actions.do_generate_api_key(
        organization, form.cleaned_data["name"], actor=request.user, request=request
    )
    return _section(request, organization, "api-keys", new_api_key=key, new_api_key_record=api_key)


@sensitive_variables()  # the new secret, and the context that shows it, stay out of error reports
@never_cache
@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_regenerate(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    api_key = gate.api_key_for(organization, api_key_id)
    if not api_keys_can_be_generated(organization):
        return _section(request, organization, "api-keys", status=403, api_keys_error=NO_NEW_API_KEYS)
    if request.method == "POST":
        key = api_key_actions.do_regenerate_api_key(organization, api_key, actor=request.user, request=request)
        # The new key is shown once, in this very answer: htmx swaps it in, a plain request gets the page.
        response = _section(request, organization, "api-keys", new_api_key=key, new_api_key_record=api_key)
        return swap_and_close(response, "api-keys") if request.htmx else response
    return api_key_confirm(request, organization, api_key, "regenerate")


@organization_admin()
@require_http_methods(["GET", "POST"])
def api_key_delete(request: HttpRequest, organization: Organization, api_key_id) -> HttpResponse:
    api_key = gate.api_key_for(organization, api_key_id)
    if request.method == "POST":
        name = api_key.name
        api_key_actions.do_delete_api_key(organization, api_key, actor=request.user, request=request)
        context = page_context(request, organization, api_keys_status=f"API key “{name}” deleted.")
        return changed(request, page_url(organization), TEMPLATE, context, "api-keys")
    return api_key_confirm(request, organization, api_key, "delete")
