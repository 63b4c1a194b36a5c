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
