"""credhub's JSON API (``/api/v1/``), built on django-ninja, which derives the OpenAPI document and
request validation from these functions.

Callers authenticate with an access key (``X-Client-ID`` + ``X-Client-Secret``) or a legacy API key
(``x-api-key``), in headers only. Every error is JSON: ``{"error": ..., "detail": ...}`` (400 adds
``errors``, per field). Credentials go through :class:`~credentials.forms.credentials.CredentialForm`, the
same validation path as the overlay. Secrets are write-only: no response carries one.

CSRF: the API authenticates by headers only and never looks at the session cookie, so a forged
cross-site request carries no credentials; django-ninja's views are therefore csrf_exempt, which is
correct here (and would not be if we ever accepted the session).
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import wraps
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from ninja import NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.security.base import AuthBase

from credentials import audit, catalog, gate, keys
from credentials.forms.credentials import CredentialForm, form_data_from_json
from credentials.models import Credential, OrganizationCredential
from credentials.revocation import delete_credential

logger = logging.getLogger("credhub.api")

# Repeated authentication failures from one address: after FAILURE_LIMIT failures within
# FAILURE_WINDOW seconds, the address gets 429 until the window ends. A fixed window in Django's cache
# (per process with the default local-memory cache; shared with a shared cache backend).
FAILURE_LIMIT = 20
FAILURE_WINDOW = 60

# Query parameters that look like a key: refused rather than silently used or ignored.
KEY_QUERY_PARAMETERS = {
    "x-api-key",
    "api-key",
    "apikey",
    "key",
    "x-client-id",
    "client-id",
    "x-client-secret",
    "client-secret",
    "secret",
    "access-key",
    "token",
}
QUERY_STRING_KEY = "Keys are accepted in headers only: a key sent in the query string is refused. Treat it as leaked."

FEATURE_OFF = "API credentials management is not turned on for this organization."
MEMBER_CANNOT_WRITE = "This key acts as a member, who can read credentials but not change them."
OTHER_ORGANIZATION = "This credential belongs to another organization."
CREDENTIAL_NOT_FOUND = "No credential with this ID."

SECURITY_SCHEMES = {
    "ClientID": {"type": "apiKey", "in": "header", "name": "X-Client-ID", "description": "Access key ID"},
    "ClientSecret": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Client-Secret",
        "description": "Access key secret (send with X-Client-ID)",
    },
    "APIKey": {"type": "apiKey", "in": "header", "name": "x-api-key", "description": "Legacy API key"},
}
# Either both access key headers, or the API key header.
SECURITY = [{"ClientID": [], "ClientSecret": []}, {"APIKey": []}]


class APIError(Exception):
    """An error answered as ``{"error": reason, "detail": detail}``."""

    status = 400
    reason = "Bad Request"

    def __init__(self, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}


class Unauthorized(APIError):
    status, reason = 401, "Unauthorized"


class Forbidden(APIError):
    status, reason = 403, "Forbidden"


class NotFound(APIError):
    status, reason = 404, "Not Found"


class TooManyFailures(APIError):
    status, reason = 429, "Too Many Requests"


class InvalidInput(APIError):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Correct the fields listed in errors.")
        self.errors = errors


def error_response(status: int, reason: str, detail: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": reason, "detail": detail, **extra}, status=status)


# Authentication ---------------------------------------------------------------------------------


def _failure_limit() -> int:
    return getattr(settings, "CREDHUB_API_FAILURE_LIMIT", FAILURE_LIMIT)


def _failures_key(address: str | None) -> str:
    return f"credhub:api-auth-failures:{address or 'unknown'}"


def _note_failure(address: str | None) -> None:
    key = _failures_key(address)
    cache.add(key, 0, timeout=FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=FAILURE_WINDOW)


@sensitive_variables("secret", "api_key")
def _authenticate(request: HttpRequest, address: str | None) -> keys.Caller:
    if any(name.lower().replace("_", "-") in KEY_QUERY_PARAMETERS for name in request.GET):
        raise keys.KeyRejected(QUERY_STRING_KEY)
    # request.headers is case-insensitive: X-Client-ID, x-client-id and X-CLIENT-ID are one header.
    key_id = request.headers.get("X-Client-ID", "").strip()
    secret = request.headers.get("X-Client-Secret", "").strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    if key_id or secret:
        if not (key_id and secret):
            raise keys.KeyRejected(keys.INCOMPLETE)
        return keys.authenticate_access_key(key_id, secret, address=address)
    if api_key:
        return keys.authenticate_api_key(api_key, address=address)
    raise keys.KeyRejected(keys.MISSING)


class KeyAuth(AuthBase):
    """Access key or API key, from headers only. The OpenAPI document gets both schemes (see CredhubAPI)."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "X-Client-ID"

    def __call__(self, request: HttpRequest) -> keys.Caller:
        address = audit.client_address(request)
        if (cache.get(_failures_key(address)) or 0) >= _failure_limit():
            raise TooManyFailures(
                "Too many failed authentication attempts from this address. Try again later.",
                headers={"Retry-After": str(FAILURE_WINDOW)},
            )
        try:
            caller = _authenticate(request, address)
        except keys.KeyRejected as rejected:
            _note_failure(address)
            # Only the public key ID is ever logged, never a secret or an API key.
            key_id = request.headers.get("X-Client-ID", "")
            key_id = key_id if keys.is_access_key_id(key_id) else "-"
            logger.info("API authentication refused from %s (key ID %s): %s", address, key_id, rejected.detail)
            raise Unauthorized(rejected.detail) from None
        return caller


class CredhubAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        # ninja names one scheme per auth callable; an access key is two headers sent together.
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = SECURITY
        return schema


api = CredhubAPI(
    title="credhub API",
    version="1",
    description=(
        "Authenticate with an access key (X-Client-ID and X-Client-Secret headers) or a legacy API key "
        "(x-api-key header). Errors are JSON objects with `error` and `detail`."
    ),
    auth=KeyAuth(),
    urls_namespace="api_v1",
    docs_url=None,
)


@api.exception_handler(APIError)
def _api_error(request: HttpRequest, exc: APIError) -> HttpResponse:
    extra = {"errors": exc.errors} if isinstance(exc, InvalidInput) else {}
    response = error_response(exc.status, exc.reason, exc.detail, **extra)
    for name, value in exc.headers.items():
        response[name] = value
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        # ("body", "payload", "extra_headers", 0, "name") → "extra_headers[0].name"
        location = [part for part in error.get("loc", ()) if part not in ("body", "payload", "query")]
        name = ""
        for part in location:
            name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
        errors.setdefault(name or "non_field_errors", []).append(error.get("msg", "Invalid value."))
    return error_response(400, "Bad Request", "Correct the fields listed in errors.", errors=errors)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    reasons = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    return error_response(exc.status_code, reasons.get(exc.status_code, "Error"), str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "Not Found", "Nothing here.")


# Schemas ----------------------------------------------------------------------------------------


class ErrorOut(Schema):
    error: str
    detail: str


class InvalidOut(ErrorOut):
    errors: dict[str, list[str]]


class KeyOut(Schema):
    type: str
    key_id: str | None = None
    prefix: str | None = None
    name: str
    role: str
    system_generated: bool = False
    expires_at: datetime | None = None


class AccountOut(Schema):
    account_id: str
    account_domain: str
    name: str
    key: KeyOut


class HeaderOut(Schema):
    name: str
    value: str


class OrganizationCredentialOut(Schema):
    organization: str


class CredentialOut(Schema):
    id: UUID
    name: str
    description: str
    connector: str
    base_url: str
    is_test: bool
    org_specific: bool
    content_type: str
    auth_type: str
    auth: dict[str, Any]
    extra_headers: list[HeaderOut]
    organization_credentials: list[OrganizationCredentialOut]
    created_at: datetime
    updated_at: datetime
    last_used_at: datetime | None

    @staticmethod
    def resolve_auth(credential: Credential) -> dict[str, Any]:
        """Non-secret settings only; secret fields are write-only."""
        settings_ = {k: v for k, v in credential.auth_settings.items() if k != "header_names"}
        if credential.auth_type == catalog.HEADERS:
            settings_["headers"] = [{"key": name} for name in credential.auth_settings.get("header_names", [])]
        return settings_

    @staticmethod
    def resolve_extra_headers(credential: Credential) -> list[dict[str, str]]:
        return [{"name": name, "value": value} for name, value in credential.extra_headers]

    @staticmethod
    def resolve_organization_credentials(credential: Credential) -> list[dict[str, str]]:
        if not credential.org_specific:
            return []
        return [{"organization": row.organization.slug} for row in credential.organization_credentials.all()]


class CredentialPage(Schema):
    count: int
    items: list[CredentialOut]


class HeaderIn(Schema):
    name: str = ""
    value: str = ""


class OrganizationCredentialIn(Schema):
    organization: str
    auth: dict[str, str] = {}


class CredentialIn(Schema):
    """Fields of a credential. On PATCH, fields left out keep their stored values (secrets included)."""

    connector: str | None = None
    name: str | None = None
    description: str | None = None
    base_url: str | None = None
    is_test: bool | None = None
    org_specific: bool | None = None
    content_type: str | None = None
    auth_type: str | None = None
    auth: dict[str, Any] | None = None
    extra_headers: list[HeaderIn] | None = None
    organization_credentials: list[OrganizationCredentialIn] | None = None


class DeletedOut(Schema):
    id: UUID
    deleted: bool
    revoked_connections: list[str]


class ConnectionOut(Schema):
    id: UUID
    kind: str
    connector: str
    name: str
    status: str
    revoked_reason: str
    credential_id: UUID | None
    access_key_id: str | None
    created_at: datetime

    @staticmethod
    def resolve_access_key_id(connection: Any) -> str | None:
        return connection.access_key.key_id if connection.access_key_id else None


class ConnectionPage(Schema):
    count: int
    items: list[ConnectionOut]


ERRORS = {401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


# Endpoints --------------------------------------------------------------------------------------


def _caller(request: HttpRequest) -> keys.Caller:
    return request.auth  # set by KeyAuth


def _credentials_of(caller: keys.Caller, *, write: bool = False):
    if not caller.organization.api_credentials_enabled:
        raise Forbidden(FEATURE_OFF)
    if write and not caller.is_admin:
        raise Forbidden(MEMBER_CANNOT_WRITE)
    return gate.credentials_for(caller.organization)


def _credential(caller: keys.Caller, credential_id: UUID, *, write: bool = False) -> Credential:
    credential = _credentials_of(caller, write=write).filter(pk=credential_id).first()
    if credential is None:
        if gate.credential_exists_elsewhere(caller.organization, credential_id):
            raise Forbidden(OTHER_ORGANIZATION)
        raise NotFound(CREDENTIAL_NOT_FOUND)
    return credential


@api.get("/account", response={200: AccountOut, **ERRORS}, summary="The calling key's account")
def account(request: HttpRequest) -> dict[str, Any]:
    caller = _caller(request)
    organization = caller.organization
    if caller.access_key is not None:
        access_key = caller.access_key
        key = {
            "type": "access_key",
            "key_id": access_key.key_id,
            "name": access_key.name,
            "role": caller.role,
            "system_generated": access_key.system_generated,
            "expires_at": access_key.expires_at,
        }
    else:
        key = {"type": "api_key", "prefix": caller.api_key.prefix, "name": caller.api_key.name, "role": caller.role}
    return {
        "account_id": organization.account_id,
        "account_domain": organization.account_domain,
        "name": organization.name,
        "key": key,
    }


@api.get("/credentials", response={200: CredentialPage, **ERRORS}, summary="List credentials")
def list_credentials(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)
) -> dict[str, Any]:
    credentials = (
        _credentials_of(_caller(request))
        .defer("secrets")
        .prefetch_related(
            Prefetch(
                "organization_credentials",
                queryset=OrganizationCredential.objects.select_related("organization").defer("secrets"),
            )
        )
    )
    return {"count": credentials.count(), "items": list(credentials[offset : offset + limit])}


def _save(request: HttpRequest, caller: keys.Caller, payload: CredentialIn, credential: Credential | None) -> Any:
    body = payload.dict(exclude_unset=True)
    connector = body.pop("connector", None)
    if connector is not None and connector not in catalog.CONNECTORS:
        raise InvalidInput({"connector": [f"Choose one of: {', '.join(catalog.CONNECTORS)}."]})
    if credential is not None and connector is not None and connector != credential.connector:
        raise InvalidInput({"connector": ["The connector of a saved credential cannot be changed."]})
    form = CredentialForm(
        caller.organization,
        form_data_from_json(body, credential=credential),
        instance=credential,
        connector=connector,
    )
    owner = caller.access_key.owner if caller.access_key is not None else None
    saved = form.save(user=owner, request=request, actor=caller.actor)
    if saved is None:
        raise InvalidInput(form.json_errors())
    return saved


@api.post("/credentials", response={201: CredentialOut, 400: InvalidOut, **ERRORS}, summary="Create a credential")
def create_credential(request: HttpRequest, payload: CredentialIn) -> Status:
    caller = _caller(request)
    _credentials_of(caller, write=True)
    return Status(201, _save(request, caller, payload, None))


@api.get(
    "/credentials/{uuid:credential_id}",
    response={200: CredentialOut, 404: ErrorOut, **ERRORS},
    summary="Read a credential",
)
def read_credential(request: HttpRequest, credential_id: UUID) -> Credential:
    return _credential(_caller(request), credential_id)


@api.patch(
    "/credentials/{uuid:credential_id}",
    response={200: CredentialOut, 400: InvalidOut, 404: ErrorOut, **ERRORS},
    summary="Change a credential (secrets left out are kept)",
)
def update_credential(request: HttpRequest, credential_id: UUID, payload: CredentialIn) -> Credential:
    caller = _caller(request)
    return _save(request, caller, payload, _credential(caller, credential_id, write=True))


@api.delete(
    "/credentials/{uuid:credential_id}",
    response={200: DeletedOut, 404: ErrorOut, **ERRORS},
    summary="Delete a credential and revoke the connections that use it",
)
def remove_credential(request: HttpRequest, credential_id: UUID) -> dict[str, Any]:
    caller = _caller(request)
    credential = _credential(caller, credential_id, write=True)
    revoked = delete_credential(credential, actor=caller.actor, request=request)
    return {"id": credential_id, "deleted": True, "revoked_connections": revoked}


@api.post(
    "/credentials/{uuid:credential_id}/test",
    response={501: ErrorOut, 404: ErrorOut, **ERRORS},
    summary="Test a credential against its Base URL (not available yet)",
)
def test_credential(request: HttpRequest, credential_id: UUID) -> Status:
    _credential(_caller(request), credential_id)
    return Status(
        501, {"error": "Not Implemented", "detail": "Testing a credential through the API is not available yet."}
    )


@api.get("/connections", response={200: ConnectionPage, **ERRORS}, summary="List data sources and destinations")
def list_connections(
    request: HttpRequest, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)
) -> dict[str, Any]:
    connections = gate.connections_for(_caller(request).organization).select_related("access_key")
    return {"count": connections.count(), "items": list(connections[offset : offset + limit])}


# URLs -------------------------------------------------------------------------------------------


def _json_method_not_allowed(view: Any) -> Any:
    """ninja answers a wrong method with a plain-text 405; every API answer is JSON."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = error_response(405, "Method Not Allowed", f"Use one of: {allowed}.")
            response["Allow"] = allowed
        return response

    return csrf_exempt(wrapped)


@csrf_exempt
def _unknown_path(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "Not Found", "There is no API endpoint at this path.")


def urlpatterns() -> list:
    """The API's URL patterns, to include at ``api/v1/``."""
    patterns, _app_name, _namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_method_not_allowed(pattern.callback)
    return [*patterns, re_path(r"^(?P<rest>.*)$", _unknown_path)]
