"""Authentication as requests sends it: credhub's HMAC-SHA256 scheme (documented in the README), secret
headers and Basic with UTF-8 credentials; AWS4 comes from ``requests-aws4auth``."""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import parse_qsl, quote, urlsplit

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from credentials.outbound.errors import OutboundError

# credhub's HMAC-SHA256 scheme: the three headers every signed request carries.
HMAC_CLIENT_ID_HEADER = "X-Credhub-Client-Id"
HMAC_TIMESTAMP_HEADER = "X-Credhub-Timestamp"
HMAC_SIGNATURE_HEADER = "X-Credhub-Signature"
HMAC_HEADERS = (HMAC_CLIENT_ID_HEADER, HMAC_TIMESTAMP_HEADER, HMAC_SIGNATURE_HEADER)
AWS4_HEADERS = ("X-Amz-Date", "X-Amz-Content-SHA256", "X-Amz-Security-Token")


def _percent_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def hmac_canonical_query(query: str) -> str:
    """The query as credhub's HMAC scheme signs it: decoded pairs, sorted, RFC 3986 re-encoded, joined by ``&``."""
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{_percent_encode(name)}={_percent_encode(value)}" for name, value in sorted(pairs))


def hmac_string_to_sign(method: str, path: str, query: str, timestamp: str, body: bytes) -> str:
    """Method, path, canonical query, timestamp and the body's SHA-256 (hex), one per line."""
    return "\n".join(
        [method.upper(), path or "/", hmac_canonical_query(query), timestamp, hashlib.sha256(body).hexdigest()]
    )


def hmac_signature(client_secret: str, string_to_sign: str) -> str:
    return hmac.new(client_secret.encode(), string_to_sign.encode(), hashlib.sha256).hexdigest()


class HMACSHA256Auth(AuthBase):
    """credhub's HMAC-SHA256 request signing (the README's "HMAC-SHA256 scheme")."""

    def __init__(self, client_id: str, client_secret: str) -> None:
        self.client_id = client_id
        self._client_secret = client_secret

    def __repr__(self) -> str:
        return f"<HMACSHA256Auth client_id={self.client_id!r}>"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        elif not isinstance(body, bytes):
            raise OutboundError("HMAC-SHA256 signing needs the whole request body up front, not a stream.")
        url = urlsplit(request.url)
        timestamp = str(int(time.time()))
        to_sign = hmac_string_to_sign(request.method or "GET", url.path, url.query, timestamp, body)
        request.headers[HMAC_CLIENT_ID_HEADER] = self.client_id
        request.headers[HMAC_TIMESTAMP_HEADER] = timestamp
        request.headers[HMAC_SIGNATURE_HEADER] = hmac_signature(self._client_secret, to_sign)
        return request


class SecretHeadersAuth(AuthBase):
    """Secret headers (Headers and Bearer types) applied per request, so the session's headers hold no secret."""

    def __init__(self, headers: dict[str, str]) -> None:
        self._headers = headers

    def __repr__(self) -> str:
        return f"<secret headers {sorted(self._headers)}>"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers.update(self._headers)
        return request


class UTF8BasicAuth(HTTPBasicAuth):
    """HTTP Basic with UTF-8 credentials (RFC 7617), where requests would use Latin-1."""

    def __init__(self, username: str, password: str) -> None:
        super().__init__(username.encode(), password.encode())

    def __repr__(self) -> str:
        return "<Basic auth>"
