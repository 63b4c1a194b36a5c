"""The Authenticate screen of a new or re-authenticated connection, as the credential overlay needs it.

The screen's "Add Credential" tile opens the Credentials tab's Add New Credential overlay with
``?connector=`` and ``return_to``; when the overlay saves, :func:`after_credential_added` answers with
this screen's credential tiles, the new one selected. Both the connection views and the credential
views use this module, so that neither view module imports the other.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from credentials import catalog, gate, paging
from credentials.forms.connections import ChooseCredentialForm
from credentials.models import Credential, Organization
from credentials.views.rendering import swap_and_close

AUTHENTICATE_TEMPLATE = "connections/authenticate.html"
AUTHENTICATE_VIEWS = {"connection_create", "connection_reauthenticate"}
CHOICES_PAGE_SIZE = 18  # credential tiles on the Authenticate screen, as many as a page of the Credentials tab


def connector_or_404(code: str) -> catalog.Connector:
    try:
        return catalog.connector(code)
    except KeyError:
        raise Http404("No such connector.") from None


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


def _credential_page(request: HttpRequest, form: ChooseCredentialForm) -> tuple[paging.Page, str]:
    """One page of the connector's credentials (searched by name), the chosen one always among them."""
    search = " ".join(request.GET.get("q", "").split())[:100]
    credentials = form.fields["credential"].queryset
    if search:
        credentials = credentials.filter(name__icontains=search)
    page = paging.numbered_page(credentials, request.GET, CHOICES_PAGE_SIZE, {"q": search}, counted=not search)
    selected = form.selected_id
    if _is_uuid(selected) and all(str(credential.pk) != selected for credential in page.rows):
        # Chosen on another page, or just added: shown first, so that the choice is never out of sight.
        page.rows = [*form.fields["credential"].queryset.filter(pk=selected), *page.rows]
    return page, search


def authenticate_context(
    request: HttpRequest, organization: Organization, connector: catalog.Connector, form: ChooseCredentialForm, **extra
) -> dict:
    page, search = _credential_page(request, form)
    return {
        "organization": organization,
        "connector": connector,
        "form": form,
        "choice_page": page,
        "choice_search": search,
        "return_to": request.path,
        **extra,
    }


def authenticate_return_to(request: HttpRequest, organization: Organization) -> str:
    """The Authenticate screen the credential overlay was opened from, if ``return_to`` names one of ours."""
    value = request.POST.get("return_to") or request.GET.get("return_to") or ""
    parts = urlsplit(value)
    if not value.startswith("/") or value.startswith("//") or parts.scheme or parts.netloc:
        return ""
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    if match.url_name not in AUTHENTICATE_VIEWS or match.kwargs.get("org") != organization.slug:
        return ""
    return parts.path


def after_credential_added(
    request: HttpRequest, organization: Organization, credential: Credential
) -> HttpResponse | None:
    """After the overlay saved a credential: back to the Authenticate screen it came from, the new tile selected.

    Returns None when the overlay was not opened from an Authenticate screen of this connector.
    """
    return_to = authenticate_return_to(request, organization)
    if not return_to:
        return None
    match = resolve(return_to)
    if "connection_id" in match.kwargs:
        connection = gate.connections_for(organization).filter(pk=match.kwargs["connection_id"]).first()
        connector_code = connection.connector if connection else ""
    else:
        connector_code = match.kwargs.get("connector", "")
    if connector_code != credential.connector:
        return None
    if not request.htmx:
        return redirect(f"{return_to}?credential={credential.pk}")
    connector_type = connector_or_404(connector_code)
    form = ChooseCredentialForm(organization, connector_type, initial={"credential": credential.pk})
    context = authenticate_context(
        request,
        organization,
        connector_type,
        form,
        new_credential_id=str(credential.pk),
        status_message=f"Credential “{credential.name}” added and selected.",
    )
    context["return_to"] = return_to
    response = render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
    # After the swap, so that closing the dialog can move focus to the new, selected tile.
    return swap_and_close(response, "credential-choices", after="settle")
