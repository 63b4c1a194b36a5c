"""The credential proxy: ``ANY /api/v1/credentials/<id>/proxy/<path>``.

A program holding an access key calls the credential's API through credhub: credhub sends the same
method, path, query string and body to the credential's Base URL through :func:`outbound.session_for`
(its authentication, the origin and environment rules, the SSRF guard, redirects that never carry
secrets, the total deadline), and streams the upstream's answer back. The secret never leaves credhub.

- :mod:`.forwarding`: what is passed on (the target URL, an allowlist of request headers, the body
  within its limit) and what comes back (an allowlist of response headers);
- :mod:`.streaming`: the upstream's body, streamed in constant memory, whose end writes the usage record;
- :mod:`.rate`: the per-key rate limit, counted in the shared cache;
- :mod:`.view`: the view, which authenticates as the JSON API does and answers credhub's own failures in
  the API's error form with a ``Credhub-Error`` header;
- :mod:`.openapi`: the proxy's operations in the API's OpenAPI document.
"""

from __future__ import annotations

ORGANIZATION_HEADER = "Credhub-Organization"
ERROR_HEADER = "Credhub-Error"
UPSTREAM_TIME_HEADER = "Credhub-Upstream"
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")

# Each ``Credhub-Error`` code (and a streamed answer's ending) as the Usage page says it; the code itself
# stays in the usage API and on hover, where a program or an operator matches it.
ERROR_WORDS = {
    "unauthorized": "Key not accepted",
    "too_many_failures": "Refused: too many failures",
    "forbidden": "Refused: not permitted",
    "not_found": "No such credential",
    "organization_required": "Refused: organization missing",
    "wrong_environment": "Refused: wrong environment",
    "rate_limited": "Refused: rate limit",
    "rate_limit_unavailable": "Refused: rate limit not counted",
    "method_not_allowed": "Refused: method not allowed",
    "invalid_path": "Refused: path leaves the Base URL",
    "request_too_large": "Refused: request too large",
    "refused_target": "Refused: address not allowed",
    "no_base_url": "Not sent: no Base URL",
    "unreadable_secret": "Not sent: secrets unreadable",
    "unreachable": "Unreachable",
    "tls": "TLS error",
    "deadline": "Timed out",
    "upstream_error": "Not sent",
    "upstream_broke": "Answer broke off",
    "response_too_large": "Answer too large, cut off",
    "client_disconnected": "Caller went away",
    "internal_error": "credhub error",
}
