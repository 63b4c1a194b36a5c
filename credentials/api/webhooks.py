"""The JSON API's webhook endpoints (``/api/v1/webhooks``…), for admin keys only.

Input goes through :class:`~credentials.forms.webhooks.WebhookEndpointForm`, the screen's validation; changes
go through ``credentials.actions.webhooks``. The signing secret appears in the create response only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from credentials import gate, keys
from credentials.actions import webhooks as actions
from credentials.api.errors import Forbidden, InvalidInput, NotFound
from credentials.api.schemas import ERRORS, ErrorOut, InvalidOut
from credentials.forms.webhooks import WebhookEndpointForm
from credentials.models import WebhookDelivery, WebhookEndpoint

router = Router(tags=["webhooks"])

ADMIN_ONLY = "Only keys that act as an Organization Admin can manage webhooks."
NOT_FOUND = "No webhook endpoint with this ID."
VIA_API = "API"
# Every route names an endpoint (or a delivery) that may not exist.
ERRORS = {**ERRORS, 404: ErrorOut}


class EndpointIn(Schema):
    """A change: fields left out, or null, keep their value (but a null ``credential_id`` removes it)."""

    name: str | None = None
    url: str | None = None
    events: list[str] | None = None
    credential_id: UUID | None = None
    enabled: bool | None = None


class EndpointCreateIn(Schema):
    name: str
    url: str
    events: list[str] = Field(default_factory=list, description="Event types; none means every event.")
    credential_id: UUID | None = None
    enabled: bool = True


class EndpointOut(Schema):
    id: UUID
    name: str
    url: str
    events: list[str]
    enabled: bool
    disabled_reason: str
    credential_id: UUID | None
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointOut):
    signing_secret: str


class EndpointPage(Schema):
    count: int
    items: list[EndpointOut]


class DeliveryOut(Schema):
    id: UUID
    event_id: str
    event_type: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_error: str
    duration_ms: int | None
    response_status: int | None
    response_body: str
    created_at: datetime


class DeliveryPage(Schema):
    count: int
    items: list[DeliveryOut]


def _admin(request: HttpRequest) -> keys.Caller:
    caller: keys.Caller = request.auth
    if not caller.is_admin:
        raise Forbidden(ADMIN_ONLY)
    return caller


def _endpoint(caller: keys.Caller, endpoint_id: UUID) -> WebhookEndpoint:
    endpoint = gate.webhook_endpoints_for(caller.organization).filter(pk=endpoint_id).first()
    if endpoint is None:
        raise NotFound(NOT_FOUND)
    return endpoint


def _validated(
    caller: keys.Caller, payload: EndpointIn | EndpointCreateIn, endpoint: WebhookEndpoint | None
) -> dict[str, Any]:
    given = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None or k == "credential_id"}
    current = {"name": "", "url": "", "events": [], "credential_id": None}
    if endpoint is not None:
        current = {
            "name": endpoint.name,
            "url": endpoint.url,
            "events": endpoint.events,
            "credential_id": endpoint.credential_id,
        }
    merged = {**current, **{k: v for k, v in given.items() if k != "enabled"}}
    data = {
        "name": merged["name"] or "",
        "url": merged["url"] or "",
        "events": merged["events"] or [],
        "credential": str(merged["credential_id"]) if merged["credential_id"] else "",
    }
    form = WebhookEndpointForm(caller.organization, data)
    if not form.is_valid():
        errors = {
            ("credential_id" if name == "credential" else name): list(map(str, e)) for name, e in form.errors.items()
        }
        raise InvalidInput(errors)
    return form.cleaned_data


@router.get("/webhooks", response={200: EndpointPage, 400: InvalidOut, **ERRORS}, summary="List webhook endpoints")
def list_webhooks(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=2**31 - 1)
) -> dict[str, Any]:
    endpoints = gate.webhook_endpoints_for(_admin(request).organization)
    return {"count": endpoints.count(), "items": list(endpoints[offset : offset + limit])}


@router.post("/webhooks", response={201: EndpointCreated, 400: InvalidOut, **ERRORS}, summary="Add a webhook endpoint")
def create_webhook(request: HttpRequest, payload: EndpointCreateIn) -> Status:
    caller = _admin(request)
    data = _validated(caller, payload, None)
    endpoint, secret = actions.do_create_endpoint(
        caller.organization,
        name=data["name"],
        url=data["url"],
        event_types=data["events"],
        credential=data["credential"],
        actor=caller.actor,
        request=request,
        via=VIA_API,
    )
    if payload.enabled is False:
        actions.do_set_endpoint_enabled(caller.organization, endpoint, False, actor=caller.actor, request=request)
    return Status(201, {**EndpointOut.from_orm(endpoint).dict(), "signing_secret": secret})


@router.get("/webhooks/{endpoint_id}", response={200: EndpointOut, **ERRORS}, summary="Read a webhook endpoint")
def read_webhook(request: HttpRequest, endpoint_id: UUID) -> WebhookEndpoint:
    return _endpoint(_admin(request), endpoint_id)


@router.patch(
    "/webhooks/{endpoint_id}",
    response={200: EndpointOut, 400: InvalidOut, **ERRORS},
    summary="Change a webhook endpoint",
)
def update_webhook(request: HttpRequest, endpoint_id: UUID, payload: EndpointIn) -> WebhookEndpoint:
    caller = _admin(request)
    endpoint = _endpoint(caller, endpoint_id)
    data = _validated(caller, payload, endpoint)
    actions.do_edit_endpoint(
        caller.organization,
        endpoint,
        name=data["name"],
        url=data["url"],
        event_types=data["events"],
        credential=data["credential"],
        actor=caller.actor,
        request=request,
        via=VIA_API,
    )
    if payload.enabled is not None:
        actions.do_set_endpoint_enabled(
            caller.organization, endpoint, payload.enabled, actor=caller.actor, request=request, via=VIA_API
        )
    return endpoint


@router.delete("/webhooks/{endpoint_id}", response={200: dict, **ERRORS}, summary="Delete a webhook endpoint")
def delete_webhook(request: HttpRequest, endpoint_id: UUID) -> dict[str, Any]:
    caller = _admin(request)
    endpoint = _endpoint(caller, endpoint_id)
    actions.do_delete_endpoint(caller.organization, endpoint, actor=caller.actor, request=request, via=VIA_API)
    return {"deleted": str(endpoint_id)}


@router.get(
    "/webhooks/{endpoint_id}/deliveries",
    response={200: DeliveryPage, 400: InvalidOut, **ERRORS},
    summary="A webhook endpoint's deliveries, newest first",
)
def list_deliveries(
    request: HttpRequest,
    endpoint_id: UUID,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=2**31 - 1),
) -> dict[str, Any]:
    endpoint = _endpoint(_admin(request), endpoint_id)
    deliveries = endpoint.deliveries.order_by("-created_at", "-id")
    return {"count": deliveries.count(), "items": list(deliveries[offset : offset + limit])}


@router.post(
    "/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend",
    response={202: DeliveryOut, **ERRORS},
    summary="Queue a delivery's event again (same webhook-id)",
)
def resend_delivery(request: HttpRequest, endpoint_id: UUID, delivery_id: UUID) -> Status:
    caller = _admin(request)
    endpoint = _endpoint(caller, endpoint_id)
    delivery = WebhookDelivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise NotFound("No delivery with this ID for this endpoint.")
    if not endpoint.enabled:
        raise Forbidden("Enable the endpoint before resending to it.")
    again = actions.do_resend_delivery(caller.organization, delivery, actor=caller.actor, request=request, via=VIA_API)
    return Status(202, again)


@router.post("/webhooks/{endpoint_id}/test", response={200: DeliveryOut, **ERRORS}, summary="Send a test event now")
def test_webhook(request: HttpRequest, endpoint_id: UUID) -> WebhookDelivery:
    caller = _admin(request)
    endpoint = _endpoint(caller, endpoint_id)
    if not endpoint.enabled:
        raise Forbidden("Enable the endpoint before sending it a test event.")
    return actions.do_send_test_event(caller.organization, endpoint, actor=caller.actor, request=request)
