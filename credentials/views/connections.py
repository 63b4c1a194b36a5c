"""Data sources and destinations: the list, and New data source / New destination → connector → Authenticate → name;
a connection's page with Change credential (the same Authenticate screen), Rename and Delete.

The Authenticate screen's "Add Credential" tile opens the very same Add New Credential overlay as the
Credentials tab (``credential_create`` with ``?connector=`` and ``return_to``). When that overlay saves,
``credentials/authenticate_screen.py`` answers with this screen's credential tiles, the new one selected.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credentials import catalog, gate, paging
from credentials.actions import connections as connection_actions
from credentials.authenticate_screen import AUTHENTICATE_TEMPLATE, authenticate_context, connector_or_404
from credentials.forms.connections import ChooseCredentialForm, NameConnectionForm, RenameConnectionForm
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Connection, Credential, Organization

LIST_TEMPLATE = "connections/connections.html"
NEW_TEMPLATE = "connections/connection_new.html"
DETAIL_TEMPLATE = "connections/connection_detail.html"
DELETE_TEMPLATE = "connections/connection_delete.html"
KINDS = {"source": Connection.Kind.SOURCE, "destination": Connection.Kind.DESTINATION}
NEW_TITLES = {"source": "New data source", "destination": "New destination"}
PAGE_SIZE = 25
ROW_FIELDS = ("name", "kind", "connector", "status", "revoked_reason", "credential", "organization")


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise Http404("No such kind of connection.")
    return kind


@organization_admin(feature=API_CREDENTIALS)
@require_GET
def connection_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    search = " ".join(request.GET.get("q", "").split())[:100]
    status = request.GET.get("status", "")
    status = status if status in Connection.Status.values else ""
    connector = request.GET.get("connector", "")
    connector = connector if connector in catalog.CONNECTORS else ""
    # Only what a row shows: each column read is converted on every row of the page.
    connections = (
        gate.connections_for(organization)
        .select_related("credential")
        .only(*ROW_FIELDS, "credential__name", "credential__is_test")
    )
    if search:
        connections = connections.filter(name__icontains=search)
    if status:
        connections = connections.filter(status=status)
    if connector:
        connections = connections.filter(connector=connector)
    filters = {"q": search, "status": status, "connector": connector}
    context = {
        "organization": organization,
        "page": paging.numbered_page(connections, request.GET, PAGE_SIZE, filters, counted=not search),
        "filtered": any(filters.values()),
        "search": search,
        "status": status,
        "connector": connector,
        "statuses": Connection.Status.choices,
        "connectors": catalog.CONNECTORS.values(),
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
    }
    return render(request, NEW_TEMPLATE, context)


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def connection_create(request: HttpRequest, organization: Organization, kind: str, connector: str) -> HttpResponse:
    kind, connector_type = _kind(kind), connector_or_404(connector)
    extra = {"title": f"{NEW_TITLES[kind]}: {connector_type.label}", "kind": kind, "step": "authenticate"}
    if request.method == "GET":
        form = ChooseCredentialForm(organization, connector_type, initial={"credential": request.GET.get("credential")})
        context = authenticate_context(request, organization, connector_type, form, **extra)
        # The credential search and its page links swap the tiles only.
        if request.htmx and request.htmx.target == "credential-choices":
            return render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
        return render(request, AUTHENTICATE_TEMPLATE, context)
    if request.POST.get("_step") == "name":
        form = NameConnectionForm(organization, connector_type, request.POST)
        if form.is_valid():
            connection = connection_actions.do_create_connection(
                organization,
                KINDS[kind],
                connector_type.code,
                form.cleaned_data["name"],
                form.cleaned_data["credential"],
                actor=request.user,
                request=request,
            )
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
    context = authenticate_context(request, organization, connector_type, form, **extra)
    if step == "name":
        context["chosen"] = _chosen_credential(form)
    return render(request, AUTHENTICATE_TEMPLATE, context, status=422 if form.errors else 200)


def _chosen_credential(form: ChooseCredentialForm) -> Credential | None:
    selected = form.selected_id
    return form.fields["credential"].queryset.filter(pk=selected).first() if selected else None


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def connection_reauthenticate(request: HttpRequest, organization: Organization, connection_id) -> HttpResponse:
    """Re-authenticate a revoked connection, or change the credential of an active one (Change credential
    on its page): the same screen and form, two different events in the audit log."""
    connection = gate.connection_for(organization, connection_id)
    connector_type = connector_or_404(connection.connector)
    changing = connection.status == Connection.Status.ACTIVE
    title = f"Change the credential of “{connection.name}”" if changing else f"Re-authenticate “{connection.name}”"
    extra = {"title": title, "connection": connection, "changing": changing, "step": "authenticate"}
    if request.method == "POST":
        form = ChooseCredentialForm(organization, connector_type, request.POST)
        if form.is_valid():
            credential = form.cleaned_data["credential"]
            if changing:
                changed = connection_actions.do_change_connection_credential(
                    organization, connection, credential, actor=request.user, request=request
                )
                verb = "now authenticates" if changed else "already authenticates"
                messages.success(request, f"“{connection.name}” {verb} with “{credential.name}”.")
                return redirect(_detail_url(organization, connection))
            connection_actions.do_reauthenticate_connection(
                organization, connection, credential, actor=request.user, request=request
            )
            messages.success(request, f"“{connection.name}” re-authenticated with “{connection.credential.name}”.")
            return redirect(reverse("connection_list", args=[organization.slug]))
    else:
        initial = request.GET.get("credential") or connection.credential_id
        form = ChooseCredentialForm(organization, connector_type, initial={"credential": initial})
    context = authenticate_context(request, organization, connector_type, form, **extra)
    if request.method == "GET" and request.htmx and request.htmx.target == "credential-choices":
        return render(request, f"{AUTHENTICATE_TEMPLATE}#credential-choices", context)
    return render(request, AUTHENTICATE_TEMPLATE, context, status=422 if form.errors else 200)


def _detail_url(organization: Organization, connection: Connection) -> str:
    return reverse("connection_detail", args=[organization.slug, connection.pk])


def _detail_page(
    request: HttpRequest,
    organization: Organization,
    connection: Connection,
    form: RenameConnectionForm,
    status: int = 200,
) -> HttpResponse:
    context = {"organization": organization, "connection": connection, "rename_form": form}
    return render(request, DETAIL_TEMPLATE, context, status=status)


@organization_admin(feature=API_CREDENTIALS)
@require_GET
def connection_detail(request: HttpRequest, organization: Organization, connection_id) -> HttpResponse:
    connection = gate.connection_for(organization, connection_id)
    return _detail_page(request, organization, connection, RenameConnectionForm(initial={"name": connection.name}))


@organization_admin(feature=API_CREDENTIALS)
@require_POST
def connection_rename(request: HttpRequest, organization: Organization, connection_id) -> HttpResponse:
    connection = gate.connection_for(organization, connection_id)
    form = RenameConnectionForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, organization, connection, form, status=422)
    old_name = connection.name
    if connection_actions.do_rename_connection(
        organization, connection, form.cleaned_data["name"], actor=request.user, request=request
    ):
        messages.success(request, f"Renamed “{old_name}” to “{connection.name}”.")
    else:
        messages.success(request, f"“{old_name}” keeps its name.")
    return redirect(_detail_url(organization, connection))


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def connection_delete(request: HttpRequest, organization: Organization, connection_id) -> HttpResponse:
    """The confirmation (in the page's dialog with htmx, a page of its own without), then the delete."""
    connection = gate.connection_for(organization, connection_id)
    if request.method == "POST":
        described = f"{connection.get_kind_display()} “{connection.name}”"
        connection_actions.do_delete_connection(organization, connection, actor=request.user, request=request)
        messages.success(request, f"{described} deleted.")
        return redirect(reverse("connection_list", args=[organization.slug]))
    context = {"organization": organization, "connection": connection}
    return render(request, f"{DELETE_TEMPLATE}#delete-confirm" if request.htmx else DELETE_TEMPLATE, context)
