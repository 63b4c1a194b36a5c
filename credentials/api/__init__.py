"""credhub's JSON API (``/api/v1/``), built on django-ninja, which derives the OpenAPI document and
request validation from the endpoint functions (``endpoints.py``).

Callers authenticate with an access key (``X-Client-ID`` + ``X-Client-Secret``) or a legacy API key
(``x-api-key``), in headers only. Every error is JSON: ``{"error": ..., "detail": ...}`` (400 adds
``errors``, per field). A credential body is judged by the overlay's own rules
(:class:`~credentials.forms.credentials.CredentialDraft`), with the same messages. Secrets are
write-only: no response carries one.

CSRF: the API authenticates by headers only and never looks at the session cookie, so a forged
cross-site request carries no credentials; django-ninja's views are therefore csrf_exempt, which is
correct here (and would not be if we ever accepted the session).
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, re_path
from django.utils.log import log_response
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_variables
from ninja import NinjaAPI
from ninja.errors import HttpError, ValidationError

from credentials.api.access_keys import router as access_keys_router
from credentials.api.auth import SECURITY, SECURITY_SCHEMES, KeyAuth
from credentials.api.document import document
from credentials.api.endpoints import router
from credentials.api.errors import APIError, InvalidInput, error_response
from credentials.api.usage import router as usage_router
from credentials.api.webhooks import router as webhooks_router
from credentials.key_lookup import KeyGone
from credentials.keys import KEY_GONE
from credentials.proxy.openapi import document_proxy


class CredhubAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document(schema)
        # ninja names one scheme per auth callable; an access key is two headers sent together.
        schema.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        for operations in schema["paths"].values():
            for operation in operations.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = SECURITY
        document_proxy(schema)  # after the loop above: the proxy takes access keys only
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
    # ninja's 400 is a body it cannot parse: the answer keeps the documented 400 shape, with ``errors``.
    extra = {"errors": {"non_field_errors": [str(exc)]}} if exc.status_code == 400 else {}
    return error_response(exc.status_code, reasons.get(exc.status_code, "Error"), str(exc), **extra)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    detail = f"The request body is larger than {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes."
    return error_response(400, "Bad Request", detail, errors={"non_field_errors": [detail]})


@api.exception_handler(KeyGone)
def _key_gone(request: HttpRequest, exc: KeyGone) -> HttpResponse:
    # Deleted between verification and the rest of the request: refused as a deleted key is.
    return error_response(401, "Unauthorized", KEY_GONE)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, "Not Found", "Nothing here.")


@api.exception_handler(Exception)
def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """With DEBUG off a defect answers the documented JSON, and is reported as Django reports a 500."""
    if settings.DEBUG:
        raise exc  # the developer's technical page
    response = error_response(500, "Internal Server Error", "Something went wrong on our side; it has been logged.")
    # What Django does for any other 500: tell the listeners (error reporting) and log it for ADMINS.
    got_request_exception.send(sender=None, request=request)
    log_response("Internal Server Error: %s", request.path, response=response, request=request, exception=exc)
    return response


api.add_router("", router)
api.add_router("", webhooks_router)
api.add_router("", access_keys_router)
api.add_router("", usage_router)

# URLs -------------------------------------------------------------------------------------------


def _json_method_not_allowed(view: Any) -> Any:
    """ninja answers a wrong method with a plain-text 405; every API answer is JSON.

    Every frame below this one (ninja's, the endpoint's, the form's) holds the request body or the
    calling key, so Django's error report shows none of their variables.
    """

    @sensitive_variables()
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
    from credentials.proxy.view import proxy  # here: the proxy's view imports the API's authentication

    # The credential proxy: a plain view, for every method and a streamed answer (credentials/proxy/).
    proxied = re_path(r"^credentials/(?P<credential_id>[^/]+)/proxy(?:/(?P<path>[\s\S]*))?$", proxy, name="proxy")
    # [\s\S], not ".": a path with an encoded line break is still the API's, answered in JSON. The proxy
    # first: its calls are most of the API's, and no other pattern matches its paths.
    return [proxied, *patterns, re_path(r"^(?P<rest>[\s\S]*)$", _unknown_path)]
