"""Data sources and destinations: the list, and New data source / New destination → connector → Authenticate → name.

The Authenticate screen's "Add Credential" tile opens the very same Add New Credential overlay as the
Credentials tab (``credential_create`` with ``?connector=`` and ``return_to``). When that overlay saves,
:func:`after_credential_added` answers with this screen's credential tiles, the new one selected.
"""

from __future__ import annotations

from urllib.parse import urlsplit
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from credentials import catalog, gate, paging
from credentials.forms.connections import ChooseCredentialForm, NameConnectionForm, reauthenticate
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Connection, Credential, Organization

LIST_TEMPLATE = "connections/connections.html"
NEW_TEMPLATE = "connections/connection_new.html"
AUTHENTICATE_TEMPLATE = "connections/authenticate.html"
KINDS = {"source": Connection.Kind.SOURCE, "destination": Connection.Kind.DESTINATION}
NEW_TITLES = {"source": "New data source", "destination": "New destination"}
AUTHENTICATE_VIEWS = {"connection_create", "connection_reauthenticate"}
CLOSE_DIALOG = "credhub:close-dialog"
PAGE_SIZE = 25
CHOICES_PAGE_SIZE = 18  # credential tiles on the Authenticate screen, as many as a page of the Credentials tab


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404("No such kind of connection.")
    return kind


def _connector(code: str) -> catalog.Connector:
    try:
        return catalog.connector(code)
    except KeyError:
        raise Http404("No such connector.") from None


@organization_admin(feature=API_CREDENTIALS)
@require_GET
def connection_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    search = " ".join(request.GET.get("q", "").split())[:100]
    status = request.GET.get("status", "")
    status = status if status in Connection.Status.values else ""
    connector = request.GET.get("connector", "")
    connector = connector if connector in catalog.CONNECTORS else ""
    connections = gate.connections_for(organization).select_related("credential").defer("credential__secrets")
    if search:
        connections = connections.filter(name__icontains=search)
    if status:
        connections = connections.filter(status=status)
    if connector:
        connections = connections.filter(connector=connector)
    filters = {"q": search, "status": status, "connector": connector}
    context = {
        "organization": organization,
        "page": paging.numbered_page(connections, request.GET, PAGE_SIZE, filters),
        "filtered": any(filters.values()),
        "search": search,
        "status": status,
        "connector": connector,
        "statuses": Connection.Status.choices,
        "connectors": catalog.CONNECTORS.values(),
        "section": "connections",
    }
    # The filter form and the page links swap the results only; the search box keeps its focus.
    template = f"{LIST_TEMPLATE}#connection-results" if request.htmx and not request.htmx.boosted else LIST_TEMPLATE
    return render(request, template, context)


@organization_admin(feature=API_CREDENTIALS)
@require_GET
def connection_new(request: HttpRequest, organization: Organization) -> HttpResponse:
    kind = request.GET.get("kind", "source")
    kind = kind if kind in KINDS else "source"
    context = {
        "organization": organization,
        "kind": kind,
        "title": NEW_TITLES[kind],
        "connectors": catalog.CONNECTORS.values(),
        "section": "connections",
    }
    return render(request, NEW_TEMPLATE, context)


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
    page = paging.numbered_page(credentials, request.GET, CHOICES_PAGE_SIZE, {"q": search})
    selected = form.selected_id
    if _is_uuid(selected) and all(str(credential.pk) != selected for credential in page.rows):
        # Chosen on another page, or just added: shown first, so that the choice is never out of sight.
        page.rows = [*form.fields["credential"].queryset.filter(pk=selected), *page.rows]
    return page, search


def _authenticate_context(
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
        "section": "connections",
        **extra,
    }


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def connection_create(request: HttpRequest, organization: Organization, kind: str, connector: str) -> HttpResponse:
    kind, connector_type = _kind(kind), _connector(connector)
    extra = {"title": f"{NEW_TITLES[kind]}: {connector_type.label}", "kind": kind, "step": "authenticate"}
    if request.method == "GET":
        form = ChooseCredentialForm(organization, connector_type, initial={"credential": request.GET.get("credential")})
        context = _authenticate_context(request, organization, connector_type, form, **extra)
        # The credential search and its page links swap the tiles only.
        if request.htmx and request.htmx.target == "credential-choices":
            return render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
        return render(request, AUTHENTICATE_TEMPLATE, context)
    if request.POST.get("_step") == "name":
        form = NameConnectionForm(organization, connector_type, request.POST)
        if form.is_valid():
            connection = form.save(KINDS[kind], user=request.user, request=request)
            messages.success(request, f"{connection.get_kind_display()} “{connection.name}” created.")
            return redirect(reverse("connection_list", args=[organization.slug]))
        step = "name" if "credential" not in form.errors else "authenticate"
    else:
        form = ChooseCredentialForm(organization, connector_type, request.POST)
        step = "name" if form.is_valid() else "authenticate"
        if step == "name":
            form = NameConnectionForm(
                organization, connector_type, initial={"credential": form.cleaned_data["credential"].pk}
            )
    extra["step"] = step
    context = _authenticate_context(request, organization, connector_type, form, **extra)
    if step == "name":
        context["chosen"] = _chosen_credential(form)
    return render(request, AUTHENTICATE_TEMPLATE, context, status=422 if form.errors else 200)


def _chosen_credential(form: ChooseCredentialForm) -> Credential | None:
    selected = form.selected_id
    return form.fields["credential"].queryset.filter(pk=selected).first() if selected else None


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def connection_reauthenticate(request: HttpRequest, organization: Organization, connection_id) -> HttpResponse:
    connection = get_object_or_404(gate.connections_for(organization), pk=connection_id)
    connector_type = _connector(connection.connector)
    extra = {"title": f"Re-authenticate “{connection.name}”", "connection": connection, "step": "authenticate"}
    if request.method == "POST":
        form = ChooseCredentialForm(organization, connector_type, request.POST)
        if form.is_valid():
            reauthenticate(connection, form.cleaned_data["credential"], user=request.user, request=request)
            messages.success(request, f"“{connection.name}” re-authenticated with “{connection.credential.name}”.")
            return redirect(reverse("connection_list", args=[organization.slug]))
    else:
        initial = request.GET.get("credential") or connection.credential_id
        form = ChooseCredentialForm(organization, connector_type, initial={"credential": initial})
    context = _authenticate_context(request, organization, connector_type, form, **extra)
    if request.method == "GET" and request.htmx and request.htmx.target == "credential-choices":
        return render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
    return render(request, AUTHENTICATE_TEMPLATE, context, status=422 if form.errors else 200)


# The Add New Credential overlay, opened from the Authenticate screen ------------------------------


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
    connector_type = _connector(connector_code)
    form = ChooseCredentialForm(organization, connector_type, initial={"credential": credential.pk})
    context = _authenticate_context(
        request,
        organization,
        connector_type,
        form,
        new_credential_id=str(credential.pk),
        status_message=f"Credential “{credential.name}” added and selected.",
    )
    context["return_to"] = return_to
    response = render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
    response = retarget(response, "#credential-choices")
    response = reswap(response, "outerHTML")
    # After the swap, so that closing the dialog can move focus to the new, selected tile.
    return trigger_client_event(response, CLOSE_DIALOG, after="settle")
