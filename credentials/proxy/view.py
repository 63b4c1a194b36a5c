"""The proxy's view: a plain Django view (every method, a streamed answer) behind the API's authentication.

credhub's own failures answer in the API's error form, ``{"error": ..., "detail": ...}``, with a
``Credhub-Error: <reason>`` header, so that a program tells them from the upstream's answers, which
never carry that header. Once the credential is found, every call writes one usage record.
"""

from __future__ import annotations

import logging
import time
from http import HTTPStatus
from uuid import UUID

import requests
from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables

from credentials import gate, keys, outbound
from credentials.actions.usage import Call
from credentials.api.auth import ProxyKeyAuth
from credentials.api.errors import APIError, Forbidden, TooManyFailures, error_response
from credentials.models import AccessKey, Credential, Organization
from credentials.proxy import ERROR_HEADER, METHODS, ORGANIZATION_HEADER, UPSTREAM_TIME_HEADER, forwarding, rate
from credentials.proxy.streaming import UpstreamBody, finish

logger = logging.getLogger("credhub.proxy")


FEATURE_OFF = "API credentials management is not turned on for this organization."
OTHER_ORGANIZATION = "This credential belongs to another organization."
NOT_FOUND = "No credential with this ID."
API_KEY_REFUSED = (
    "Legacy API keys cannot use the credential proxy: send an access key (X-Client-ID and X-Client-Secret)."
)
NOT_PERMITTED = (
    "This access key may not use the credential “{name}”: ask an admin to give the key “Use all credentials”, "
    "or “Use selected credentials” with “{name}”, under Permissions."
)

_authenticate = ProxyKeyAuth()


class Refusal(Exception):
    """credhub answers the call itself: ``status``, the ``Credhub-Error`` ``code`` and a detail in words."""

    def __init__(self, status: int, code: str, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.code, self.detail, self.headers = status, code, detail, headers or {}


def refusal_response(refusal: Refusal) -> HttpResponse:
    response = error_response(refusal.status, HTTPStatus(refusal.status).phrase, refusal.detail)
    response[ERROR_HEADER] = refusal.code
    for name, value in refusal.headers.items():
        response[name] = value
    return response


def _caller(request: HttpRequest) -> keys.Caller:
    try:
        caller = _authenticate(request)
    except APIError as error:
        code = "too_many_failures" if isinstance(error, TooManyFailures) else "unauthorized"
        if isinstance(error, Forbidden):  # a valid key used from outside its allowed addresses, or too old
            code = "forbidden"
        raise Refusal(error.status, code, error.detail, error.headers) from None
    if not caller.is_access_key:
        raise Refusal(403, "forbidden", API_KEY_REFUSED)
    # The proxy reads the key's and the organization's checked columns, never builds their instances:
    # that would be a second query on every call.
    if not caller.found.organization.api_credentials_enabled:
        raise Refusal(403, "forbidden", FEATURE_OFF)
    return caller


def _credential(caller: keys.Caller, credential_id: str) -> Credential:
    try:
        pk = UUID(credential_id)
    except ValueError:
        raise Refusal(404, "not_found", NOT_FOUND) from None
    credential = gate.credential_by_id(caller.found.key.organization_id, pk)
    if credential is None:
        if gate.credential_exists_elsewhere(caller.organization, pk):
            raise Refusal(403, "forbidden", OTHER_ORGANIZATION)
        raise Refusal(404, "not_found", NOT_FOUND)
    return credential


def _child_organization(request: HttpRequest, caller: keys.Caller, credential: Credential) -> Organization | None:
    slug = request.headers.get(ORGANIZATION_HEADER, "").strip()
    if not slug:
        if credential.org_specific:
            raise Refusal(
                400,
                "organization_required",
                f"“{credential.name}” has separate authentication for each organization: name one in the "
                f"{ORGANIZATION_HEADER} header (its slug).",
            )
        return None
    child = Organization.objects.filter(parent_id=caller.found.key.organization_id, slug=slug).first()
    if child is None:
        raise Refusal(
            400,
            "organization_required",
            f"The {ORGANIZATION_HEADER} header names no organization of {caller.organization.name}: "
            "send the slug of one of its organizations.",
        )
    return child


def _check_permission(caller: keys.Caller, credential: Credential) -> None:
    key = caller.found.key
    if not AccessKey.permits(key.id, key.credential_access, credential.pk):
        raise Refusal(403, "forbidden", NOT_PERMITTED.format(name=credential.name))


def _check_rate(caller: keys.Caller) -> None:
    key, limit = caller.found.key, caller.found.organization.proxy_rate_limit
    try:
        wait = rate.wait_seconds(key.id, key.key_id, limit)
    except rate.CountUnavailable as error:  # fail closed: an uncounted call would pass any limit
        cause = type(error.__cause__).__name__
        logger.error("Proxy call with key %s refused: its rate-limit counter failed (%s).", key.key_id, cause)
        raise Refusal(
            503, "rate_limit_unavailable", "credhub could not count this call against the key's rate limit. Try again."
        ) from None
    if wait is not None:
        raise Refusal(
            429,
            "rate_limited",
            f"This access key made more than {limit} calls through the proxy this minute. Try again later.",
            {"Retry-After": str(wait)},
        )


def _session(credential: Credential, child: Organization | None) -> outbound.CredentialSession:
    try:
        session = outbound.session_for(
            credential,
            child,
            timeout=(settings.CREDHUB_PROXY_CONNECT_TIMEOUT, settings.CREDHUB_PROXY_TIMEOUT),
            deadline=settings.CREDHUB_PROXY_TIMEOUT,
        )
    except outbound.WrongEnvironment as error:
        raise Refusal(403, "wrong_environment", str(error)) from None
    except outbound.OrganizationRequired as error:
        raise Refusal(400, "organization_required", str(error)) from None
    except outbound.CredentialUnreadable as error:
        raise Refusal(502, "unreadable_secret", str(error)) from None
    # The usage record keeps "last used" (written when the call ends); no write per response here.
    session.hooks["response"] = []
    return session


@sensitive_variables()
def _send(
    session: outbound.CredentialSession, method: str, url: str, headers: dict[str, str], body: bytes, host: str
) -> requests.Response:
    try:
        return session.request(method, url, headers=headers, data=body or None, stream=True)
    except outbound.RefusedTarget as error:
        raise Refusal(502, "refused_target", str(error)) from None
    except requests.exceptions.SSLError:
        raise Refusal(
            502, "tls", f"A secure connection to {host} could not be established (certificate or protocol)."
        ) from None
    except requests.exceptions.ConnectTimeout:
        raise Refusal(502, "unreachable", f"credhub could not connect to {host} in time.") from None
    except requests.exceptions.Timeout:
        raise Refusal(
            504, "deadline", f"{host} did not answer within {settings.CREDHUB_PROXY_TIMEOUT:g} seconds."
        ) from None
    except requests.exceptions.ConnectionError:
        raise Refusal(502, "unreachable", f"credhub could not connect to {host}.") from None
    except outbound.OutboundError as error:
        raise Refusal(502, "upstream_error", str(error)) from None
    except (requests.exceptions.RequestException, UnicodeError) as error:
        # Named by its type, never its text, which could quote a header value.
        raise Refusal(502, "upstream_error", f"The request could not be sent ({type(error).__name__}).") from None


@sensitive_variables()  # the body, the session and its authentication
def _forward(request: HttpRequest, call: Call, caller: keys.Caller, path: str, started: float) -> HttpResponse:
    credential = call.credential
    _check_permission(caller, credential)
    _check_rate(caller)
    call.child_organization = _child_organization(request, caller, credential)
    if not credential.base_url:
        raise Refusal(502, "no_base_url", f"“{credential.name}” has no Base URL to send the call to.")
    try:
        url = forwarding.target_url(credential.base_url, path, request.META.get("QUERY_STRING", ""))
    except forwarding.BadPath as error:
        raise Refusal(400, "invalid_path", str(error)) from None
    limit = settings.CREDHUB_PROXY_MAX_REQUEST_BYTES
    try:
        body = forwarding.read_body(request, limit)
    except forwarding.BodyTooLarge:
        raise Refusal(413, "request_too_large", f"The request body is larger than {limit} bytes.") from None
    call.request_bytes = len(body)
    session = _session(credential, call.child_organization)
    host = outbound.origin(credential.base_url)[1] or "the upstream"
    upstream = _send(session, call.method, url, forwarding.upstream_headers(request), body, host)
    call.status = upstream.status_code
    response = StreamingHttpResponse(UpstreamBody(upstream, call, started), status=upstream.status_code)
    del response["Content-Type"]  # the upstream's, or none
    for name, value in forwarding.response_headers(upstream.headers):
        response[name] = value
    response[UPSTREAM_TIME_HEADER] = str(int(upstream.elapsed.total_seconds() * 1000))
    return response


@csrf_exempt
@sensitive_variables()  # the frames below hold the caller's key and the request body
def proxy(request: HttpRequest, credential_id: str, path: str | None = None) -> HttpResponse:
    """``ANY /api/v1/credentials/<id>/proxy/<path>``: the call, sent on with the credential's authentication."""
    started, at = time.monotonic(), timezone.now()
    method = (request.method or "").upper()
    if method not in METHODS:
        response = refusal_response(Refusal(405, "method_not_allowed", f"Use one of: {', '.join(METHODS)}."))
        response["Allow"] = ", ".join(METHODS)
        return response
    try:
        caller = _caller(request)
        credential = _credential(caller, credential_id)
    except Refusal as refusal:
        return refusal_response(refusal)
    key = caller.found.key
    call = Call(
        organization_id=key.organization_id,
        credential=credential,
        access_key_id=key.id,
        key_id=key.key_id,
        method=method,
        path="/" + (path or ""),  # the upstream's path, below the Base URL; never the query string
        at=at,
    )
    try:
        return _forward(request, call, caller, path or "", started)
    except Refusal as refusal:
        call.error = refusal.code
        logger.info("Proxy call %s %s with key %s refused: %s", method, request.path, key.key_id, refusal.code)
        finish(call, started)
        return refusal_response(refusal)
    except Exception as exc:  # a defect: still one usage record, and the API's JSON 500
        call.error = "internal_error"
        finish(call, started)
        return _server_error(request, exc)


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A defect answers the API's JSON 500, reported as Django reports a 500 (the technical page in DEBUG)."""
    if settings.DEBUG:
        raise exc
    response = refusal_response(Refusal(500, "internal_error", "Something went wrong on our side; it has been logged."))
    got_request_exception.send(sender=None, request=request)
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response
