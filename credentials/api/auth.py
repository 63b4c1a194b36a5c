"""Authenticating JSON API calls: an access key or an API key, from headers only, with a failure limit."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from ninja.security.base import AuthBase

from credentials import audit, keys
from credentials.api.errors import TooManyFailures, Unauthorized

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
        return keys.authenticate_access_key(
            key_id, secret, address=address, method=request.method or "", path=request.path
        )
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
