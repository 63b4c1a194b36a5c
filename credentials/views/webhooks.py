"""Settings > Integrations > Webhooks: endpoints, their signing secrets and their delivery logs.

Every view works without JavaScript (whole pages, post/redirect/get); with htmx the forms open in the
overlay and rows are swapped in place. A signing secret is rendered only in the answer that made it.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from credentials import gate
from credentials.actions import webhooks as actions
from credentials.forms.webhooks import WebhookEndpointForm
from credentials.gate import API_CREDENTIALS, organization_admin
from credentials.models import Organization, WebhookEndpoint
from credentials.views.rendering import changed, render_page_or_partial

TEMPLATE = "webhooks/webhooks.html"
SETTINGS_PAGE = "integrations"
DELIVERIES_PER_PAGE = 25


def _page_url(organization: Organization) -> str:
    return reverse("webhook_list", args=[organization.slug])


def _list_context(organization: Organization, **extra) -> dict:
    endpoints = gate.webhook_endpoints_for(organization).select_related("credential")
    return {"organization": organization, "endpoints": endpoints, "settings_page": SETTINGS_PAGE, **extra}


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET"])
def webhook_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    return render(request, TEMPLATE, _list_context(organization))


def _form_answer(request, organization, form, endpoint=None) -> HttpResponse:
    context = {"organization": organization, "form": form, "endpoint": endpoint, "settings_page": SETTINGS_PAGE}
    status = 422 if form.errors else 200
    return render_page_or_partial(request, "webhooks/endpoint_form.html", context, "endpoint-form", status=status)


@sensitive_variables("secret")
def _secret_answer(
    request, organization, endpoint: WebhookEndpoint, secret: str, headline: str, *, roll_dialog: bool = False
) -> HttpResponse:
    context = {
        "roll_dialog": roll_dialog,
        "organization": organization,
        "endpoint": endpoint,
        "secret": secret,
        "headline": headline,
        "settings_page": SETTINGS_PAGE,
    }
    return render_page_or_partial(request, "webhooks/secret_shown.html", context, "secret-shown")


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
@sensitive_variables("secret")
def webhook_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = WebhookEndpointForm(organization, request.POST if request.method == "POST" else None)
    if request.method != "POST" or not form.is_valid():
        return _form_answer(request, organization, form)
    data = form.cleaned_data
    endpoint, secret = actions.do_create_endpoint(
        organization,
        name=data["name"],
        url=data["url"],
        event_types=data["events"],
        credential=data["credential"],
        actor=request.user,
        request=request,
    )
    return _secret_answer(request, organization, endpoint, secret, f"Endpoint “{endpoint.name}” added")


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def webhook_edit(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    form = WebhookEndpointForm(organization, request.POST if request.method == "POST" else None, endpoint)
    if request.method != "POST" or not form.is_valid():
        return _form_answer(request, organization, form, endpoint)
    data = form.cleaned_data
    actions.do_edit_endpoint(
        organization,
        endpoint,
        name=data["name"],
        url=data["url"],
        event_types=data["events"],
        credential=data["credential"],
        actor=request.user,
        request=request,
    )
    if not request.htmx:
        messages.success(request, f"Endpoint “{endpoint.name}” saved.")
    context = _list_context(organization, status_message=f"Endpoint “{endpoint.name}” saved.")
    return changed(request, _page_url(organization), TEMPLATE, context, "endpoint-list")


def _row(request, organization, endpoint, **extra) -> HttpResponse:
    endpoint = gate.webhook_endpoints_for(organization).select_related("credential").get(pk=endpoint.pk)
    context = {"organization": organization, "endpoint": endpoint, **extra}
    return render(request, f"{TEMPLATE}#endpoint-row", context)


@organization_admin(feature=API_CREDENTIALS)
@require_POST
def webhook_test(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    delivery = actions.do_send_test_event(organization, endpoint, actor=request.user, request=request)
    if delivery.status == delivery.Status.SUCCEEDED:
        result = f"Test event delivered: HTTP {delivery.response_status} in {delivery.duration_ms} ms."
    else:
        result = f"Test event failed: {delivery.last_error}"
    if not request.htmx:
        messages.info(request, result)
        return redirect(_page_url(organization))
    return _row(request, organization, endpoint, row_status=result, test_ok=not delivery.last_error)


@organization_admin(feature=API_CREDENTIALS)
@require_POST
def webhook_toggle(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    enable = not endpoint.enabled
    actions.do_set_endpoint_enabled(organization, endpoint, enable, actor=request.user, request=request)
    result = f"Endpoint “{endpoint.name}” {'enabled' if enable else 'disabled'}."
    if not request.htmx:
        messages.success(request, result)
        return redirect(_page_url(organization))
    return _row(request, organization, endpoint, row_status=result, restore_focus=True)


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
@sensitive_variables("secret")
def webhook_roll(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    if request.method == "POST":
        secret = actions.do_roll_signing_secret(organization, endpoint, actor=request.user, request=request)
        return _secret_answer(
            request, organization, endpoint, secret, f"New signing secret for “{endpoint.name}”", roll_dialog=True
        )
    context = {"organization": organization, "endpoint": endpoint, "settings_page": SETTINGS_PAGE, "roll": True}
    return render_page_or_partial(request, "webhooks/endpoint_confirm.html", context, "confirm")


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET", "POST"])
def webhook_delete(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    if request.method == "POST":
        name = endpoint.name
        actions.do_delete_endpoint(organization, endpoint, actor=request.user, request=request)
        if not request.htmx:
            messages.success(request, f"Endpoint “{name}” deleted.")
        context = _list_context(organization, status_message=f"Endpoint “{name}” deleted.")
        return changed(request, _page_url(organization), TEMPLATE, context, "endpoint-list")
    context = {"organization": organization, "endpoint": endpoint, "settings_page": SETTINGS_PAGE}
    return render_page_or_partial(request, "webhooks/endpoint_confirm.html", context, "confirm")


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET"])
def delivery_log(request: HttpRequest, organization: Organization, endpoint_id) -> HttpResponse:
    endpoint = gate.webhook_endpoint_for(organization, endpoint_id)
    deliveries = endpoint.deliveries.defer("payload", "response_body").order_by("-created_at", "-id")
    page = Paginator(deliveries, DELIVERIES_PER_PAGE).get_page(request.GET.get("page"))
    context = {"organization": organization, "endpoint": endpoint, "page": page, "settings_page": SETTINGS_PAGE}
    return render(request, "webhooks/deliveries.html", context)


@organization_admin(feature=API_CREDENTIALS)
@require_http_methods(["GET"])
def delivery_detail(request: HttpRequest, organization: Organization, endpoint_id, delivery_id) -> HttpResponse:
    delivery = gate.webhook_delivery_for(organization, endpoint_id, delivery_id)
    context = {
        "organization": organization,
        "endpoint": delivery.endpoint,
        "delivery": delivery,
        "payload_json": json.dumps(delivery.payload, indent=2),
        "settings_page": SETTINGS_PAGE,
    }
    return render(request, "webhooks/delivery.html", context)


@organization_admin(feature=API_CREDENTIALS)
@require_POST
def delivery_resend(request: HttpRequest, organization: Organization, endpoint_id, delivery_id) -> HttpResponse:
    delivery = gate.webhook_delivery_for(organization, endpoint_id, delivery_id)
    if not delivery.endpoint.enabled:
        messages.error(request, "Enable the endpoint before resending to it.")
    else:
        actions.do_resend_delivery(organization, delivery, actor=request.user, request=request)
        messages.success(request, f"The {delivery.event_type} event is queued again.")
    return redirect(reverse("webhook_deliveries", args=[organization.slug, endpoint_id]))
