"""Settings > Integrations > Credentials and Webhooks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from credentials import authenticate_screen, gate, paging, tile_facts
from credentials.actions.credentials import (
    NameTaken,
    StoredSecretUnreadable,
    do_create_credential,
    do_delete_credential,
    do_edit_credential,
    do_rename_credential,
)
from credentials.forms.credentials import NAME_TAKEN, CredentialForm, RenameCredentialForm
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Credential, Organization

PAGE_SIZE = 18
CLOSE_DIALOG = "credhub:close-dialog"
TEMPLATE = "credentials/credentials.html"
SETTINGS_PAGE = "integrations"  # the settings sidebar entry these pages belong to
FORM_TEMPLATE = "credentials/credential_form.html"

# Buttons inside the overlay that change its rows instead of saving ("view restart").
FORM_ACTIONS = {
    "add_header",
    "remove_header",
    "add_secret_header",
    "remove_secret_header",
    "add_organization",
    "remove_organization",
    "refresh",
}


def _tiles_context(organization: Organization, page_number: str | None = None, status: str = "") -> dict:
    # Tiles never need a secret: deferring the column keeps the list from even loading the tokens.
    credentials = gate.credentials_for(organization).defer("secrets")
    page = paging.numbered_page(credentials, {"page": page_number or ""}, PAGE_SIZE)
    page.rows = tile_facts.attach(organization, page.rows)
    return {"organization": organization, "page": page, "status_message": status, "settings_page": SETTINGS_PAGE}


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET"])
def credential_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    context = _tiles_context(organization, request.GET.get("page"))
    if request.htmx and request.GET.get("page"):
        return render(request, f"{TEMPLATE}#page-tiles", context)
    return render(request, TEMPLATE, context)


def _list_after_change(request: HttpRequest, organization: Organization, message: str) -> HttpResponse:
    """After a save or delete: htmx swaps the tile list and closes the overlay; a plain request redirects."""
    if not request.htmx:
        return redirect(reverse("credential_list", args=[organization.slug]))
    response = render(request, f"{TEMPLATE}#tile-list", _tiles_context(organization, status=message))
    response = retarget(response, "#tile-list")
    response = reswap(response, "outerHTML")
    return trigger_client_event(response, CLOSE_DIALOG)


def _form_response(request: HttpRequest, form: CredentialForm, status: int = 200, focus_id: str = "") -> HttpResponse:
    context = {
        "organization": form.organization,
        "form": form,
        "focus_id": focus_id,
        "settings_page": SETTINGS_PAGE,
        # Set when the overlay was opened from a data source's Authenticate screen.
        "return_to": authenticate_screen.authenticate_return_to(request, form.organization),
    }
    template = f"{FORM_TEMPLATE}#credential-form" if request.htmx else FORM_TEMPLATE
    return render(request, template, context, status=status)


def _apply_action(form: CredentialForm, action: str) -> str:
    """Change the form's rows; returns the id of the control that should have focus afterwards."""
    form.restart()
    name, _, index = action.partition(":")
    # ASCII digits only ("²" is a digit to str.isdigit), and no index longer than any form could have.
    position = int(index) if index.isascii() and index.isdigit() and len(index) <= 6 else -1
    match name:
        case "add_header":
            form.add_header()
            return f"id_headers-{len(form.headers) - 1}-name"
        case "remove_header":
            form.remove_header(position)
            return "add-header"
        case "add_secret_header":
            form.add_secret_header()
            return f"id_auth_headers-{len(form.secret_headers) - 1}-key"
        case "remove_secret_header":
            form.remove_secret_header(position)
            return "add-secret-header"
        case "add_organization":
            form.add_organization_row()
            return f"id_organizations-{len(form.organization_rows) - 1}-organization"
        case "remove_organization":
            form.remove_organization_row(position)
            return "add-organization"
    # "refresh" (a toggle or the type changed): turning Org. Specific Authentication on starts with
    # one organization row to fill in; htmx keeps focus on the control that changed.
    if form.uses_organization_rows and not form.organization_rows:
        form.add_organization_row()
    return ""


@sensitive_variables()
def save_credential(form: CredentialForm, *, actor: object, request: HttpRequest) -> Credential | None:
    """Validate, then create or edit through the actions; None, with the reason on the form, if refused."""
    if not form.is_valid():
        return None
    try:
        if form.instance is None:
            return do_create_credential(form.organization, form.to_input(), actor=actor, request=request)
        return do_edit_credential(form.instance, form.to_input(), actor=actor, request=request)
    except NameTaken:
        form.name_taken()
    except StoredSecretUnreadable as unreadable:
        form.stored_secret_unreadable(unreadable.organization)
    return None


@sensitive_variables()
def _save_or_restart(
    request: HttpRequest, organization: Organization, form: CredentialForm, saved: str
) -> HttpResponse:
    action = request.POST.get("_action", "")
    if action.partition(":")[0] in FORM_ACTIONS:
        return _form_response(request, form, focus_id=_apply_action(form, action))
    credential = save_credential(form, actor=request.user, request=request)
    if credential is None:
        return _form_response(request, form, status=422 if not request.htmx else 200)
    if form.instance is None:  # created, maybe from a data source's Authenticate screen
        if (response := authenticate_screen.after_credential_added(request, organization, credential)) is not None:
            return response
    return _list_after_change(request, organization, saved.format(name=credential.name))


@sensitive_variables()  # the form and every frame below it hold the posted secrets
@sensitive_post_parameters()
@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    connector = request.GET.get("connector") or request.POST.get("connector")
    if request.method == "GET":
        return _form_response(request, CredentialForm(organization, connector=connector))
    form = CredentialForm(organization, request.POST, connector=connector)
    return _save_or_restart(request, organization, form, "Credential “{name}” added.")


@sensitive_variables()  # the form and every frame below it hold the posted secrets
@sensitive_post_parameters()
@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_edit(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = gate.credential_for(organization, credential_id)
    if request.method == "GET":
        return _form_response(request, CredentialForm(organization, instance=credential))
    form = CredentialForm(organization, request.POST, instance=credential)
    return _save_or_restart(request, organization, form, "Credential “{name}” saved.")


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET"])
def credential_tile(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = tile_facts.attach(organization, [gate.credential_for(organization, credential_id)])[0]
    # Served when an inline rename is cancelled: focus goes back to the tile's More options button.
    context = {"organization": organization, "credential": credential, "restore_focus": True}
    return render(request, f"{TEMPLATE}#tile", context)


def _rename(form: RenameCredentialForm, *, actor: object, request: HttpRequest) -> bool:
    if not form.is_valid():
        return False
    try:
        do_rename_credential(form.credential, form.cleaned_data["name"], actor=actor, request=request)
    except NameTaken:
        form.add_error("name", NAME_TAKEN)
        return False
    return True


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_rename(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = gate.credential_for(organization, credential_id)
    form = RenameCredentialForm(credential, request.POST if request.method == "POST" else None)
    context = {
        "organization": organization,
        "credential": credential,
        "rename_form": form,
        "settings_page": SETTINGS_PAGE,
    }
    if request.method == "POST" and _rename(form, actor=request.user, request=request):
        if not request.htmx:
            return redirect(reverse("credential_list", args=[organization.slug]))
        tile_facts.attach(organization, [credential])
        del context["rename_form"]  # back to the plain tile
        context["tile_status"] = f"Renamed to “{credential.name}”."
        context["restore_focus"] = True
        return render(request, f"{TEMPLATE}#tile", context)
    template = f"{TEMPLATE}#tile" if request.htmx else "credentials/credential_rename.html"
    return render(request, template, context, status=422 if form.errors and not request.htmx else 200)


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def credential_delete(request: HttpRequest, organization: Organization, credential_id) -> HttpResponse:
    credential = gate.credential_for(organization, credential_id)
    if request.method == "POST":
        name = credential.name
        revoked = do_delete_credential(credential, actor=request.user, request=request)
        message = f"Credential “{name}” deleted."
        if revoked:
            message += f" Revoked connections: {', '.join(revoked)}."
        return _list_after_change(request, organization, message)
    context = {
        "organization": organization,
        "credential": credential,
        "connections": credential.connections.filter(status="active").order_by("name"),
        "settings_page": SETTINGS_PAGE,
    }
    template = "credentials/credential_delete.html"
    return render(request, f"{template}#delete-confirm" if request.htmx else template, context)
