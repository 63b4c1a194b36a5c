"""The API's endpoints. Every lookup goes through the organization gate, scoped to the calling key's
organization; a credential body, once its schema is valid, is judged by the overlay's own rules (a
:class:`~credentials.forms.credentials.draft.CredentialDraft`) and saved by the actions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest, JsonResponse
from django.views.decorators.debug import sensitive_variables
from ninja import Query, Router, Status
from ninja.responses import NinjaJSONEncoder

from credentials import catalog, gate, keys
from credentials.actions.credentials import (
    NameTaken,
    StoredSecretUnreadable,
    do_create_credential,
    do_delete_credential,
    do_edit_credential,
    do_test_credential,
)
from credentials.api.errors import APIError, Forbidden, InvalidInput, NotFound
from credentials.api.schemas import (
    CONTENT_TYPE_SHORT_FORMS,
    ERRORS,
    AccountOut,
    ConnectionPage,
    CredentialCreateIn,
    CredentialIn,
    CredentialOut,
    CredentialPage,
    DeletedOut,
    ErrorOut,
    InvalidOut,
    TestOut,
    credential_bodies,
)
from credentials.forms.credentials import NAME_TAKEN, changed_fields, draft_from_json, json_errors
from credentials.models import Credential

router = Router()

FEATURE_OFF = "API credentials management is not turned on for this organization."
MEMBER_CANNOT_WRITE = "This key acts as a member, who can read credentials but not change them."
OTHER_ORGANIZATION = "This credential belongs to another organization."
CREDENTIAL_NOT_FOUND = "No credential with this ID."
# The largest offset every supported database takes; a larger one would fail in the database, not here.
MAX_OFFSET = 2**31 - 1


def _caller(request: HttpRequest) -> keys.Caller:
    return request.auth  # set by KeyAuth


def _feature_on(caller: keys.Caller) -> None:
    # Data sources and destinations live behind the same flag as credentials, in the browser and here.
    if not caller.organization.api_credentials_enabled:
        raise Forbidden(FEATURE_OFF)


def _credentials_of(caller: keys.Caller, *, write: bool = False):
    _feature_on(caller)
    if write and not caller.is_admin:
        raise Forbidden(MEMBER_CANNOT_WRITE)
    return gate.credentials_for(caller.organization)


def _missing(caller: keys.Caller, credential_id: UUID) -> APIError:
    if gate.credential_exists_elsewhere(caller.organization, credential_id):
        return Forbidden(OTHER_ORGANIZATION)
    return NotFound(CREDENTIAL_NOT_FOUND)


def _credential(caller: keys.Caller, credential_id: UUID, *, write: bool = False) -> Credential:
    credential = _credentials_of(caller, write=write).filter(pk=credential_id).first()
    if credential is None:
        raise _missing(caller, credential_id)
    return credential


def _body_of(caller: keys.Caller, credential_id: UUID) -> dict[str, Any]:
    """One credential's body, in the same number of queries whatever its organization rows."""
    bodies = credential_bodies(_credentials_of(caller).filter(pk=credential_id))
    if not bodies:
        raise _missing(caller, credential_id)
    return bodies[0]


@router.get("/account", response={200: AccountOut, **ERRORS}, summary="The calling key's account")
def account(request: HttpRequest) -> dict[str, Any]:
    caller = _caller(request)
    # Read from the key's and its organization's row: no model instance is built for this answer.
    key, organization = caller.found.row
    if caller.is_access_key:
        key_out = {
            "type": "access_key",
            "key_id": key.key_id,
            "name": key.name,
            "role": caller.role,
            "system_generated": key.system_generated,
            "expires_at": key.expires_at,
        }
    else:
        key_out = {"type": "api_key", "prefix": key.prefix, "name": key.name, "role": caller.role}
    return {
        "account_id": organization.account_id,
        "account_domain": organization.account_domain,
        "name": organization.name,
        "key": key_out,
    }


@router.get("/credentials", response={200: CredentialPage, 400: InvalidOut, **ERRORS}, summary="List credentials")
def list_credentials(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET)
) -> dict[str, Any]:
    credentials = _credentials_of(_caller(request))
    page = {"count": credentials.count(), "items": credential_bodies(credentials[offset : offset + limit])}
    # Answered as made: credential_bodies builds exactly CredentialPage's shape (the contract test checks
    # every answer against the document), and validating 500 bodies again would cost a quarter of the list.
    return JsonResponse(page, encoder=NinjaJSONEncoder)


def _unencodable_fields(value: Any, name: str = "") -> list[str]:
    """The fields holding a lone UTF-16 surrogate ("x\\ud800" in JSON): text no database or header can carry."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [name or "non_field_errors"]
        return []
    if isinstance(value, dict):
        return [f for key, item in value.items() for f in _unencodable_fields(item, f"{name}.{key}" if name else key)]
    if isinstance(value, list):
        return [f for index, item in enumerate(value) for f in _unencodable_fields(item, f"{name}[{index}]")]
    return []


UNENCODABLE = "Enter text without unpaired surrogate characters (\\ud800–\\udfff)."


@sensitive_variables()
def _save(request: HttpRequest, caller: keys.Caller, payload: CredentialIn, credential: Credential | None) -> Any:
    # On PATCH an explicit null means the same as leaving the field out: keep what is stored.
    body = payload.dict(exclude_unset=True, exclude_none=credential is not None)
    if problems := _unencodable_fields(body):
        raise InvalidInput({field: [UNENCODABLE] for field in problems})
    if body.get("content_type") in CONTENT_TYPE_SHORT_FORMS:
        body["content_type"] = CONTENT_TYPE_SHORT_FORMS[body["content_type"]]
    connector = body.pop("connector", None)
    if connector is not None and connector not in catalog.CONNECTORS:
        raise InvalidInput({"connector": [f"Choose one of: {', '.join(catalog.CONNECTORS)}."]})
    if credential is not None and connector is not None and connector != credential.connector:
        raise InvalidInput({"connector": ["The connector of a saved credential cannot be changed."]})
    draft = draft_from_json(caller.organization, body, credential=credential, connector=connector)
    cleaned = draft.check_fields()
    if not draft.check() or draft.field_errors or draft.non_field_errors:
        raise InvalidInput(json_errors(draft))
    data = draft.to_input(cleaned, changed_fields(draft, cleaned))
    try:
        if credential is None:
            saved = do_create_credential(caller.organization, data, actor=caller.actor, request=request)
        else:
            saved = do_edit_credential(credential, data, actor=caller.actor, request=request)
    except NameTaken:
        draft.field_errors["name"] = [NAME_TAKEN]
        raise InvalidInput(json_errors(draft)) from None
    except StoredSecretUnreadable as unreadable:
        draft.stored_secret_unreadable(unreadable.organization)
        raise InvalidInput(json_errors(draft)) from None
    return _body_of(caller, saved.pk)


@router.post("/credentials", response={201: CredentialOut, 400: InvalidOut, **ERRORS}, summary="Create a credential")
def create_credential(request: HttpRequest, payload: CredentialCreateIn) -> Status:
    caller = _caller(request)
    _credentials_of(caller, write=True)
    return Status(201, _save(request, caller, payload, None))


@router.get(
    "/credentials/{uuid:credential_id}",
    response={200: CredentialOut, 404: ErrorOut, **ERRORS},
    summary="Read a credential",
)
def read_credential(request: HttpRequest, credential_id: UUID) -> dict[str, Any]:
    return _body_of(_caller(request), credential_id)


@router.patch(
    "/credentials/{uuid:credential_id}",
    response={200: CredentialOut, 400: InvalidOut, 404: ErrorOut, **ERRORS},
    summary="Change a credential (secrets left out are kept)",
)
def update_credential(request: HttpRequest, credential_id: UUID, payload: CredentialIn) -> dict[str, Any]:
    caller = _caller(request)
    return _save(request, caller, payload, _credential(caller, credential_id, write=True))


@router.delete(
    "/credentials/{uuid:credential_id}",
    response={200: DeletedOut, 404: ErrorOut, **ERRORS},
    summary="Delete a credential and revoke the connections that use it",
)
def remove_credential(request: HttpRequest, credential_id: UUID) -> dict[str, Any]:
    caller = _caller(request)
    credential = _credential(caller, credential_id, write=True)
    revoked = do_delete_credential(credential, actor=caller.actor, request=request)
    return {"id": credential_id, "deleted": True, "revoked_connections": revoked}


@router.post(
    "/credentials/{uuid:credential_id}/test",
    response={200: TestOut, 404: ErrorOut, **ERRORS},
    summary="Test a credential: one request to its Base URL, the outcome in words",
)
def test_credential(request: HttpRequest, credential_id: UUID, organization: str = "") -> dict[str, Any]:
    """Sends a request with the credential's secrets, so it takes an admin's key, like every other action.

    ``organization`` (a child organization's slug) tests one row of an org-specific credential; without
    it every row is tested. ``ok`` is true only when every result is.
    """
    caller = _caller(request)
    credential = _credential(caller, credential_id, write=True)
    results = [r for _, r in do_test_credential(credential, organization, actor=caller.actor, request=request)]
    return {"ok": all(r.ok for r in results), "results": [r.as_dict() for r in results]}


@router.get(
    "/connections",
    response={200: ConnectionPage, 400: InvalidOut, **ERRORS},
    summary="List data sources and destinations",
)
def list_connections(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0, le=MAX_OFFSET)
) -> dict[str, Any]:
    caller = _caller(request)
    _feature_on(caller)
    connections = gate.connections_for(caller.organization).select_related("access_key")
    return {"count": connections.count(), "items": list(connections[offset : offset + limit])}
