"""Joining a proxied path to the Base URL: the result never leaves the Base URL's origin or path."""

from __future__ import annotations

import pytest

from credentials.proxy.forwarding import BadPath, target_url

BASE = "https://billing.example.com/api"


@pytest.mark.parametrize(
    ("path", "query", "url"),
    [
        ("v1/items", "", "https://billing.example.com/api/v1/items"),
        ("", "", "https://billing.example.com/api"),
        ("v1/items/", "a=1&b=%20", "https://billing.example.com/api/v1/items/?a=1&b=%20"),
        ("http://evil.example/x", "", "https://billing.example.com/api/http://evil.example/x"),
        ("@evil.example", "", "https://billing.example.com/api/@evil.example"),
        ("a?b#c", "", "https://billing.example.com/api/a%3Fb%23c"),
        ("a b/ü", "", "https://billing.example.com/api/a%20b/%C3%BC"),
        ("a%2Fb", "", "https://billing.example.com/api/a%252Fb"),
    ],
)
def test_joined(path: str, query: str, url: str) -> None:
    assert target_url(BASE, path, query) == url


def test_base_url_with_a_slash_and_query() -> None:
    assert target_url("http://h:8080/", "x", "q=1") == "http://h:8080/x?q=1"
    assert target_url("http://h/api/?v=2", "x", "q=1") == "http://h/api/x?v=2&q=1"


@pytest.mark.parametrize(
    "path",
    ["/evil.example", "//evil.example", "..", "./x", "a/../../b", "%2e%2e", "%2E%2e/x", "%252e%252e", "a\\b", "a\rb"],
)
def test_refused(path: str) -> None:
    with pytest.raises(BadPath):
        target_url(BASE, path, "")
