"""The proxy's operations in the API's OpenAPI document (the view is a plain Django view, not ninja's)."""

from __future__ import annotations

from typing import Any

from credentials.proxy import ERROR_HEADER, METHODS, ORGANIZATION_HEADER, UPSTREAM_TIME_HEADER

PATH = "/api/v1/credentials/{credential_id}/proxy/{path}"
# credhub's own answers, each in the error form with a Credhub-Error header.
REFUSALS = {
    "400": "Bad Request: the Credhub-Organization header is missing or names no organization "
    "(`organization_required`), "
    "or the path leaves the Base URL (`invalid_path`).",
    "401": "Unauthorized: no access key, or one that is not valid (`unauthorized`).",
    "403": "Forbidden: a legacy API key, a key without permission for the credential, another organization's "
    "credential, credentials management off (`forbidden`), or a credential of the other environment "
    "(`wrong_environment`).",
    "404": "Not Found: no credential with this ID (`not_found`).",
    "405": "Method Not Allowed: the `Allow` header lists the methods (`method_not_allowed`).",
    "413": "Content Too Large: the request body is over CREDHUB_PROXY_MAX_REQUEST_BYTES (`request_too_large`).",
    "429": "Too Many Requests: over the organization's proxy rate limit for this key (`rate_limited`, with "
    "`Retry-After`), or too many failed authentications (`too_many_failures`).",
    "502": "Bad Gateway: the target is refused (`refused_target`), unreachable (`unreachable`), TLS failed (`tls`), "
    "the secrets do not decrypt (`unreadable_secret`), no Base URL (`no_base_url`) or another sending error "
    "(`upstream_error`).",
    "503": "Service Unavailable: the rate-limit counter (Redis, or the database) did not answer "
    "(`rate_limit_unavailable`).",
    "504": "Gateway Timeout: no answer within CREDHUB_PROXY_TIMEOUT (`deadline`).",
}
ANY_BODY = {"*/*": {"schema": {"type": "string", "format": "binary"}}}


def _operation(method: str) -> dict[str, Any]:
    error = {"$ref": "#/components/schemas/ErrorOut"}
    responses: dict[str, Any] = {
        "default": {
            "description": "The upstream's answer: its status and body, with its safe headers "
            "(Content-Type, Content-Length, Content-Encoding, ETag, Last-Modified, Cache-Control, Link, "
            "Retry-After, X-RateLimit-*).",
            "headers": {
                UPSTREAM_TIME_HEADER: {
                    "description": "Milliseconds until the upstream's headers arrived.",
                    "schema": {"type": "integer"},
                }
            },
            "content": ANY_BODY,
        }
    }
    for status, description in REFUSALS.items():
        responses[status] = {
            "description": description,
            "headers": {ERROR_HEADER: {"description": "credhub's reason, in one word.", "schema": {"type": "string"}}},
            "content": {"application/json": {"schema": error}},
        }
    operation: dict[str, Any] = {
        "operationId": f"credhub_api_proxy_{method.lower()}",
        "summary": f"{method} through the credential proxy",
        "description": "Sends the same method, path, query string and body to the credential's Base URL + `path`, "
        "with the credential's authentication, and streams the answer back. The access key needs permission "
        "to use the credential; legacy API keys are refused.",
        "tags": ["proxy"],
        "parameters": [
            {"name": "credential_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}},
            {
                "name": "path",
                "in": "path",
                "required": True,
                "description": "The path below the Base URL (it may hold slashes).",
                "schema": {"type": "string"},
            },
            {
                "name": ORGANIZATION_HEADER,
                "in": "header",
                "required": False,
                "description": "The slug of the child organization whose secrets an org-specific credential uses.",
                "schema": {"type": "string"},
            },
        ],
        "responses": responses,
        "security": [{"ClientID": [], "ClientSecret": []}],
    }
    if method in ("POST", "PUT", "PATCH", "DELETE"):
        operation["requestBody"] = {"required": False, "content": ANY_BODY}
    return operation


def document_proxy(schema: dict[str, Any]) -> None:
    """Add the proxy's path, one operation per method, to the document."""
    schema["paths"][PATH] = {method.lower(): _operation(method) for method in METHODS}
