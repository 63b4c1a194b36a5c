"""``GET /api/v1/credentials/<id>/usage``: the credential's usage log (admin keys), newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Schema

from credentials.api.endpoints import MAX_OFFSET, _caller, _credential
from credentials.api.errors import Forbidden
from credentials.api.schemas import ERRORS, ErrorOut, InvalidOut
from credentials.models import UsageRecord

router = Router()

MEMBER_CANNOT_READ = "This key acts as a member: a credential's usage log is read with an admin's key."


class UsageOut(Schema):
    """One call through the proxy: never a header value, a query string or a body."""

    at: datetime
    key_id: str
    organization: str | None  # the child organization whose secrets an org-specific credential used
    method: str
    path: str
    status: int | None  # the upstream's; null when credhub answered itself (see `error`)
    error: str
    duration_ms: int
    request_bytes: int
    response_bytes: int


class UsagePage(Schema):
    count: int
    items: list[UsageOut]


@router.get(
    "/credentials/{uuid:credential_id}/usage",
    response={200: UsagePage, 400: InvalidOut, 404: ErrorOut, **ERRORS},
    summary="The credential's calls through the proxy, newest first (admin keys)",
)
def credential_usage(
    request: HttpRequest,
    credential_id: UUID,
    limit: int = Query(100, ge=1, le=500),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> dict[str, Any]:
    """``error`` is credhub's reason when it answered itself (``forbidden``, ``rate_limited``, ``deadline`` …)
    or when the answer ended early (``response_too_large``, ``client_disconnected``); empty otherwise."""
    caller = _caller(request)
    credential = _credential(caller, credential_id)
    if not caller.is_admin:  # the log says who called what: the admins' to read
        raise Forbidden(MEMBER_CANNOT_READ)
    records = UsageRecord.objects.filter(credential=credential)
    rows = records.order_by("-at", "-id").values(
        "at",
        "key_id",
        "child_organization__slug",
        "method",
        "path",
        "status",
        "error",
        "duration_ms",
        "request_bytes",
        "response_bytes",
    )[offset : offset + limit]
    items = []
    for row in rows:
        row["organization"] = row.pop("child_organization__slug")
        items.append(row)
    return {"count": records.count(), "items": items}
