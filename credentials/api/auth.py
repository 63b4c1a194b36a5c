"""Authenticating JSON API calls: an access key or an API key, from headers only, with failure limits."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables
from ninja.security.base import AuthBase

from credentials import keys
from credentials.addresses import client_address
from credentials.api.errors import Forbidden, TooManyFailures, Unauthorized
from credentials.key_lookup import access_key_by_id, access_key_for_proxy

logger = logging.getLogger("credhub.api")

# Repeated authentication failures are counted per client address and per access key ID, in Django's
# cache (shared by every server process). Past FAILURE_LIMIT failures within FAILURE_WINDOW seconds, a
# failing request from that address, or for that key ID, gets 429 instead of 401 until the window ends.
# A request whose key is valid is always answered: other callers' failures (behind one proxy address,
# or aimed at a key ID they do not hold) never lock a key's real holder out. A 190-bit secret cannot be
# guessed, so the limit is about backing noisy clients off, not about hiding a correct guess.
FAILURE_LIMIT = 20
FAILURE_WINDOW = 60

# Query parameters named like a key: refused rather than silently used or ignored. A parameter whose
# value is a well-formed credhub secret or API key is refused whatever its name.
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
    "access-token",
    "token",
    "password",
    "auth",
    "sig",
    "signature",
}
QUERY_STRING_KEY = "Keys are accepted in headers only: a key sent in the query string is refused. Treat it as leaked."
TOO_MANY = "Too many failed authentication attempts {scope}. Try again later."


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


def _failure_counters(address: str | None, key_id: str) -> dict[str, str]:
    """The counters a failure adds to, by what they are about: the address, and the key ID if one was sent."""
    counters = {"from this address": f"credhub:api-auth-failures:address:{address or 'unknown'}"}
    if keys.is_access_key_id(key_id):  # only a real-looking ID: random junk must not fill the cache
        counters["for this access key"] = f"credhub:api-auth-failures:key:{key_id}"
    return counters


def _note_failure(counters: dict[str, str]) -> str | None:
    """Count one failure on each counter; the scope of the first one now past the limit, if any."""
    over = None
    for scope, key in counters.items():
        if cache.add(key, 1, timeout=FAILURE_WINDOW):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=FAILURE_WINDOW)
                count = 1
        if count > _failure_limit() and over is None:
            over = scope
    return over


def _looks_like_key(value: str) -> bool:
    value = value.strip()
    return keys.is_well_formed(value, keys.ACCESS_KEY_SECRET_PREFIX) or keys.is_well_formed(value, keys.API_KEY_PREFIX)


def key_in_query(request: HttpRequest) -> bool:
    """True if the query string carries a key: by a key-like name, or by a value that is a credhub secret."""
    for name, values in request.GET.lists():
        if name.strip().lower().replace("_", "-") in KEY_QUERY_PARAMETERS:
            return True
        if any(_looks_like_key(value) for value in values):
            return True
    return False


def key_value_in_query(request: HttpRequest) -> bool:
    """True if a query parameter's value is a credhub secret or API key, or its name is one of credhub's
    key headers. The proxy's check: its query belongs to the upstream, whose own ``key`` or ``token``
    parameters are no concern of credhub's."""
    for name, values in request.GET.lists():
        if name.strip().lower().replace("_", "-") in {"x-client-id", "x-client-secret", "x-api-key"}:
            return True
        if any(_looks_like_key(value) for value in values):
            return True
    return False


@sensitive_variables("secret", "api_key")
def _authenticate(request: HttpRequest, address: str | None, auth: KeyAuth) -> keys.Caller:
    if auth.query_has_key(request):
        raise keys.KeyRejected(QUERY_STRING_KEY)
    # request.headers is case-insensitive: X-Client-ID, x-client-id and X-CLIENT-ID are one header.
    key_id = request.headers.get("X-Client-ID", "").strip()
    secret = request.headers.get("X-Client-Secret", "").strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    if key_id or secret:
        if not (key_id and secret):
            raise keys.KeyRejected(keys.INCOMPLETE)
        return keys.authenticate_access_key(
            key_id, secret, address=address, method=request.method or "", path=request.path, lookup=auth.lookup
        )
    if api_key:
        return keys.authenticate_api_key(api_key, address=address)
    raise keys.KeyRejected(keys.MISSING)


class KeyAuth(AuthBase):
    """Access key or API key, from headers only. The OpenAPI document gets both schemes (see CredhubAPI)."""

    openapi_type = "apiKey"
    openapi_in = "header"
    openapi_name = "X-Client-ID"
    lookup = access_key_by_id  # the columns an access key's row is read with

    def query_has_key(self, request: HttpRequest) -> bool:
        return key_in_query(request)

    def __call__(self, request: HttpRequest) -> keys.Caller:
        address = client_address(request)
        try:
            # A valid key is answered whatever the counters say; they are only read on failure.
            return _authenticate(request, address, self)
        except keys.KeyForbidden as forbidden:
            # The key's holder sent it: no guess to count, but the refusal is logged.
            logger.info("Access key refused from %s: %s", address, forbidden.detail)
            raise Forbidden(forbidden.detail) from None
        except keys.KeyRejected as rejected:
            key_id = request.headers.get("X-Client-ID", "").strip()
            over = _note_failure(_failure_counters(address, key_id))
            # Only the public key ID is ever logged, never a secret or an API key.
            logged_id = key_id if keys.is_access_key_id(key_id) else "-"
            logger.info("API authentication refused from %s (key ID %s): %s", address, logged_id, rejected.detail)
            if over is not None:
                raise TooManyFailures(
                    TOO_MANY.format(scope=over), headers={"Retry-After": str(FAILURE_WINDOW)}
                ) from None
            raise Unauthorized(rejected.detail) from None


class ProxyKeyAuth(KeyAuth):
    """The API's authentication for the credential proxy, whose query string is the upstream's: only a
    credhub key in it is refused. The key's row is read with what the proxy checks on every call."""

    lookup = access_key_for_proxy

    def query_has_key(self, request: HttpRequest) -> bool:
        return key_value_in_query(request)
