"""The JSON API's access keys (``/api/v1/access-keys``…): every key reads them, admin keys create and change
them. A key is named by its public access key ID; its secret appears in the create answer only.

A key created here belongs to no user: like ``create_system_key``'s, it is system-generated and acts with
its ``role``. Which credentials a key may use through the credential proxy is checked by the rules of the
screens (:mod:`credentials.credential_permissions`) and stored by the same actions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NoReturn
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from credentials import allowed_addresses, credential_permissions, expiry, gate, keys
from credentials.actions import access_keys as actions
from credentials.api.errors import Forbidden, InvalidInput, NotFound
from credentials.api.schemas import ERRORS, ErrorOut, InvalidOut
from credentials.models import AccessKey, Membership, Organization
from credentials.names import clean_name

router = Router(tags=["access keys"])

ADMIN_ONLY = "Only keys that act as an Organization Admin can create or change access keys."
NOT_FOUND = "No access key with this ID."
FEATURE_OFF = "API credentials management is not turned on for this organization: keys use no credentials."
ONLY_FOR_SELECTED = "Send permitted_credentials only with credential_access “selected”."
NOT_OFFERED = "Choose one of the expiry periods this organization offers: {offered}."
ERRORS = {**ERRORS, 404: ErrorOut}
Access = AccessKey.CredentialAccess


class CredentialPermissionsIn(Schema):
    """Which credentials the key may use through the credential proxy (left out on PATCH: kept)."""

    credential_access: Access | None = Field(
        None, description="`none` (the default for a new key), `all`, or `selected` (those in permitted_credentials)."
    )
    permitted_credentials: list[UUID] | None = Field(
        None, description="IDs of the organization's credentials; only with credential_access `selected`."
    )


class CredentialPermissionsOut(Schema):
    credential_access: Access
    permitted_credentials: list[UUID] = Field(description="Empty unless credential_access is `selected`.")


class AccessKeyOut(CredentialPermissionsOut):
    id: UUID
    key_id: str
    name: str
    owner: str | None = Field(description="The owner's username; null for a system-generated key.")
    role: Membership.Role
    system_generated: bool
    status: str = Field(description="`active`, `inactive`, `expired` or `revoked`.")
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    allowed_addresses: list[str] = Field(
        description="The IPv4/IPv6 addresses and CIDR ranges the key may be used from; empty: anywhere."
    )


class AccessKeyCreated(AccessKeyOut):
    secret: str = Field(description="The access key secret: in this answer only, never again.")


class AccessKeyPage(Schema):
    count: int
    items: list[AccessKeyOut]


class AccessKeyCreateIn(CredentialPermissionsIn):
    name: str = Field(max_length=100)
    role: Membership.Role = Membership.Role.MEMBER
    expires_in_days: int | None = Field(
        None, description="One of the organization's expiry periods; left out: its default; null: no expiry."
    )
    allowed_addresses: list[str] | None = Field(
        None,
        description="IPv4/IPv6 addresses and CIDR ranges (such as `203.0.113.0/24`) the key may be used from, "
        "at most 50; empty: anywhere. Left out: anywhere for a new key, kept on PATCH.",
        max_length=1000,
    )


class AccessKeyIn(CredentialPermissionsIn):
    """A change: fields left out keep their value."""

    name: str | None = Field(None, max_length=100)
    allowed_addresses: list[str] | None = Field(
        None,
        description="IPv4/IPv6 addresses and CIDR ranges (such as `203.0.113.0/24`) the key may be used from, "
        "at most 50; empty: anywhere. Left out: anywhere for a new key, kept on PATCH.",
        max_length=1000,
    )


def _caller(request: HttpRequest, *, write: bool = False) -> keys.Caller:
    caller: keys.Caller = request.auth
    if write and not caller.is_admin:
        raise Forbidden(ADMIN_ONLY)
    return caller


def _key(caller: keys.Caller, key_id: str) -> AccessKey:
    # Another organization's key is not found either: the answer never tells that it exists.
    found = None
    if keys.is_access_key_id(key_id):
        found = gate.access_keys_for(caller.organization).filter(key_id=key_id).first()
    if found is None:
        raise NotFound(NOT_FOUND)
    return found


def _status(access_key: AccessKey, now: datetime) -> str:
    if access_key.revoked_at is not None:
        return "revoked"
    if access_key.deactivated_at is not None:
        return "inactive"
    if access_key.expires_at is not None and access_key.expires_at <= now:
        return "expired"
    return "active"


def bodies(access_keys: list[AccessKey]) -> list[dict[str, Any]]:
    """The keys' bodies, their permitted credentials read in one query for all of them."""
    selected = [key.pk for key in access_keys if key.credential_access == Access.SELECTED]
    permitted: dict[Any, list[UUID]] = {}
    if selected:
        through = AccessKey.permitted_credentials.through.objects.filter(accesskey_id__in=selected)
        pairs = through.order_by("credential_id").values_list("accesskey_id", "credential_id")
        for access_key_id, credential_id in pairs:
            permitted.setdefault(access_key_id, []).append(credential_id)
    now = timezone.now()
    return [
        {
            "id": key.pk,
            "key_id": key.key_id,
            "name": key.name,
            "owner": key.owner.get_username() if key.owner_id else None,
            "role": key.role,
            "system_generated": key.system_generated,
            "status": _status(key, now),
            "created_at": key.created_at,
            "expires_at": key.expires_at,
            "last_used_at": key.last_used_at,
            "allowed_addresses": list(key.allowed_addresses or []),
            "credential_access": key.credential_access,
            "permitted_credentials": permitted.get(key.pk, []),
        }
        for key in access_keys
    ]


def _body(access_key: AccessKey) -> dict[str, Any]:
    return bodies([AccessKey.objects.select_related("owner").get(pk=access_key.pk)])[0]


def _permissions(
    organization: Organization, payload: CredentialPermissionsIn, current: AccessKey | None
) -> tuple[str, list] | None:
    """The validated permission of a body (None: left out, keep it), or 400 naming the field."""
    given = payload.dict(exclude_unset=True)
    access = given.get("credential_access")
    ids = given.get("permitted_credentials")
    if access is None and ids is None:
        return None
    if access is None:
        access = current.credential_access if current is not None else Access.NONE
    if ids is not None and access != Access.SELECTED:
        raise InvalidInput({"permitted_credentials": [ONLY_FOR_SELECTED]})
    if access != Access.NONE and not organization.api_credentials_enabled:
        raise Forbidden(FEATURE_OFF)
    if ids is None and current is not None and access == Access.SELECTED:
        ids = list(current.permitted_credentials.values_list("pk", flat=True))
    try:
        return access, credential_permissions.resolve(organization, access, ids or [])
    except ValidationError as problem:
        raise InvalidInput({"permitted_credentials": problem.messages}) from None


def _name(value: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone UTF-16 surrogate: text no database can store
        raise InvalidInput({"name": ["Enter text without unpaired surrogate characters (\\ud800–\\udfff)."]}) from None
    try:
        return clean_name(value)
    except ValidationError as problem:
        raise InvalidInput({"name": problem.messages}) from None


def _addresses(values: list[str] | None) -> list[str] | None:
    """The validated allowed addresses of a body (None: left out), or 400 naming every wrong entry."""
    if values is None:
        return None
    try:
        return allowed_addresses.parse(values)
    except ValidationError as problem:
        raise InvalidInput({"allowed_addresses": problem.messages}) from None


def _expiry_days(organization: Organization, payload: AccessKeyCreateIn) -> int | None:
    offered = expiry.offered_periods(organization)
    if "expires_in_days" not in payload.model_fields_set:
        days = organization.access_key_default_expiry
    else:
        days = payload.expires_in_days
        if not ((days is None and organization.access_key_allow_no_expiry) or days in offered):
            _not_offered(organization, offered)
    if problem := expiry.lifetime_problem(organization, days):
        raise InvalidInput({"expires_in_days": [problem]})
    return days


def _not_offered(organization: Organization, offered: list[int]) -> NoReturn:
    words = [str(period) for period in offered]
    if organization.access_key_allow_no_expiry:
        words.append("null (no expiry)")
    raise InvalidInput({"expires_in_days": [NOT_OFFERED.format(offered=", ".join(words))]})


@router.get("/access-keys", response={200: AccessKeyPage, 400: InvalidOut, **ERRORS}, summary="List access keys")
def list_access_keys(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=2**31 - 1)
) -> dict[str, Any]:
    access_keys = gate.access_keys_for(_caller(request).organization).select_related("owner")
    return {"count": access_keys.count(), "items": bodies(list(access_keys[offset : offset + limit]))}


@router.post(
    "/access-keys",
    response={201: AccessKeyCreated, 400: InvalidOut, **ERRORS},
    summary="Create a system-generated access key (admin keys); the secret is in this answer only",
)
def create_access_key(request: HttpRequest, payload: AccessKeyCreateIn) -> Status:
    # The new secret is kept out of error reports by the wrapper every API view has (credentials/api).
    caller = _caller(request, write=True)
    organization = caller.organization
    name = _name(payload.name)
    days = _expiry_days(organization, payload)
    addresses = _addresses(payload.allowed_addresses) or []
    permissions = _permissions(organization, payload, None)
    granted = {}
    if permissions is not None:
        granted = {"credential_access": permissions[0], "permitted_credentials": permissions[1]}
    access_key, secret = actions.do_create_system_access_key(
        organization, name, payload.role, days, actor=caller.actor, request=request, addresses=addresses, **granted
    )
    return Status(201, {**_body(access_key), "secret": secret})


@router.get("/access-keys/{key_id}", response={200: AccessKeyOut, **ERRORS}, summary="Read an access key")
def read_access_key(request: HttpRequest, key_id: str) -> dict[str, Any]:
    return _body(_key(_caller(request), key_id))


@router.patch(
    "/access-keys/{key_id}",
    response={200: AccessKeyOut, 400: InvalidOut, **ERRORS},
    summary="Rename an access key, or change the credentials it may use or where from (admin keys)",
)
def update_access_key(request: HttpRequest, key_id: str, payload: AccessKeyIn) -> dict[str, Any]:
    caller = _caller(request, write=True)
    organization = caller.organization
    access_key = _key(caller, key_id)
    name = _name(payload.name) if payload.name is not None else None
    permissions = _permissions(organization, payload, access_key)
    addresses = _addresses(payload.allowed_addresses)
    with transaction.atomic():  # a rename and a permission or address change are one change, or none
        if name is not None and name != access_key.name:
            actions.do_rename_access_key(organization, access_key, name, actor=caller.actor, request=request)
        if permissions is not None:
            actions.do_set_credential_permissions(
                organization, access_key, *permissions, actor=caller.actor, request=request
            )
        if addresses is not None:
            actions.do_set_allowed_addresses(organization, access_key, addresses, actor=caller.actor, request=request)
    return _body(access_key)
