"""How tests call credhub as a client would: the JSON API with an access key, htmx requests, and what
must never appear in anything credhub answers."""

from __future__ import annotations

import json
import re

from django.test import Client

from credentials import keys

HTMX = {"HTTP_HX_REQUEST": "true"}
# A secret typed into a form or an API body: it must never come back.
TOKEN_SECRET = "tok-secret-review-5150"

SECRET_PATTERNS = [
    re.compile(rf"{keys.ACCESS_KEY_SECRET_PREFIX}[0-9A-Za-z]{{38}}"),
    re.compile(rf"{keys.API_KEY_PREFIX}[0-9A-Za-z]{{38}}"),
]


def access_headers(key) -> dict[str, str]:
    access_key, secret = key
    return {"X-Client-ID": access_key.key_id, "X-Client-Secret": secret}


def tampered(secret: str) -> str:
    """``secret`` with its last character changed (to a different one: a random secret may end in "x")."""
    return secret[:-1] + ("y" if secret.endswith("x") else "x")


def api(method: str, path: str, key, body=None, **extra):
    kwargs = {"headers": access_headers(key), **extra}
    if body is not None:
        kwargs.update(data=body if isinstance(body, str) else json.dumps(body), content_type="application/json")
    return getattr(Client(raise_request_exception=False), method)(f"/api/v1/{path}", **kwargs)


def assert_no_key_in(report: str) -> None:
    """No access key secret or API key, whatever its value, appears in ``report``."""
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(report), pattern.search(report).group()


def shown_once(content: str, element_id: str) -> str:
    """The value of a shown-once secret: a read-only text area, so that it is read whole."""
    return re.search(rf'<textarea id="{element_id}"[^>]*>([^<]+)</textarea>', content).group(1)
