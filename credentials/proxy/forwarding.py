"""What the proxy passes on to the upstream, and what it passes back: allowlists, not blocklists."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit, urlunsplit

from django.http import HttpRequest

from credentials import outbound

# Request headers a caller may send on. Everything else stays with credhub: the caller's own keys
# (X-Client-ID, X-Client-Secret, x-api-key), Authorization, Cookie, Host, hop-by-hop headers, proxies' headers.
REQUEST_HEADERS = (
    "Accept",
    "Accept-Language",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "If-Modified-Since",
    "Idempotency-Key",
)
# Response headers passed back. Never Set-Cookie (the upstream's session is credhub's, not the caller's)
# nor hop-by-hop headers; Location neither, since it names the upstream rather than the proxy.
RESPONSE_HEADERS = (
    "Content-Type",
    "Content-Length",
    "Content-Encoding",
    "ETag",
    "Last-Modified",
    "Cache-Control",
    "Link",
    "Retry-After",
)
RESPONSE_HEADER_PREFIXES = ("x-ratelimit-",)
# The path may hold these as they are; anything else is percent-encoded, so that nothing in it can
# start a query, a fragment or another authority.
PATH_SAFE = "/:@!$&'()*+,;=-._~"
READ_CHUNK = 64 * 1024


class BadPath(ValueError):
    """The path would leave the credential's Base URL."""


class BodyTooLarge(ValueError):
    pass


def target_url(base_url: str, path: str, query: str) -> str:
    """The Base URL joined with ``path`` (as Django decoded it) and the caller's raw ``query``.

    The path stays below the Base URL: a path that starts with a slash (``//evil.example``), holds a
    ``.`` or ``..`` segment (decoded or still encoded), a backslash or a control character is refused,
    and what is left is percent-encoded, so the joined URL always has the Base URL's origin.
    """
    if path.startswith("/") or "\\" in path or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        raise BadPath("The path must be relative to the credential's Base URL.")
    for segment in path.split("/"):
        if unquote(unquote(segment)) in (".", ".."):
            raise BadPath("The path must not hold “.” or “..” segments.")
    base = urlsplit(base_url)
    joined = base.path
    if path:
        joined = base.path.rstrip("/") + "/" + quote(path, safe=PATH_SAFE)
    full_query = "&".join(part for part in (base.query, query) if part)
    url = urlunsplit((base.scheme, base.netloc, joined or "/", full_query, ""))
    if outbound.origin(url) != outbound.origin(base_url):  # belt and braces: never another origin
        raise BadPath("The path must be relative to the credential's Base URL.")
    return url


def upstream_headers(request: HttpRequest) -> dict[str, str]:
    """The caller's allowlisted headers, and credhub's User-Agent with the caller's after it.

    Accept-Encoding is the caller's, or ``identity``: the body is passed on as the upstream encoded it,
    so it is only ever encoded in a way the caller asked for.
    """
    headers = {name: value for name in REQUEST_HEADERS if (value := request.headers.get(name)) is not None}
    headers["Accept-Encoding"] = request.headers.get("Accept-Encoding") or "identity"
    agent = request.headers.get("User-Agent", "").strip()
    headers["User-Agent"] = f"{outbound.USER_AGENT} {agent}" if agent else outbound.USER_AGENT
    return headers


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The request body, or :class:`BodyTooLarge` past ``limit`` bytes: the declared length is checked
    first, and the bytes are counted while they are read, whatever was declared."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise BodyTooLarge
    if hasattr(request, "_body"):  # already read (by a middleware)
        body = request.body
        if len(body) > limit:
            raise BodyTooLarge
        return body
    chunks, total = [], 0
    while chunk := request.read(READ_CHUNK):
        total += len(chunk)
        if total > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def response_headers(upstream_headers: dict[str, str]) -> list[tuple[str, str]]:
    """The upstream's headers the caller gets: the allowlist and the rate-limit family."""
    wanted = {name.lower() for name in RESPONSE_HEADERS}
    return [
        (name, value)
        for name, value in upstream_headers.items()
        if name.lower() in wanted or name.lower().startswith(RESPONSE_HEADER_PREFIXES)
    ]
