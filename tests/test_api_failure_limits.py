"""API authentication failures: counted per address and per key ID, never blocking a valid key; the
client address behind trusted proxies; keys in the query string refused whatever the parameter's name."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory, override_settings

from credentials import keys
from credentials.addresses import client_address

LIMIT = 20


def _account(headers: dict[str, str] | None = None, query: str = "", **meta):
    return Client(**meta).get(f"/api/v1/account{query}", headers=headers or {})


def _access(key) -> dict[str, str]:
    return {"X-Client-ID": key[0].key_id, "X-Client-Secret": key[1]}


@pytest.fixture
def globex_key(other_organization, outsider_user):
    return keys.create_access_key(other_organization, "Globex CI", owner=outsider_user)


def test_twenty_failures_from_one_address_lock_out_no_valid_key_of_any_organization(admin_key, globex_key) -> None:
    for _ in range(LIMIT):
        assert _account().status_code == 401
    refused = _account()
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert refused.json()["detail"] == "Too many failed authentication attempts from this address. Try again later."
    assert _account(_access(admin_key)).status_code == 200
    assert _account(_access(globex_key)).status_code == 200


def test_failures_for_one_key_id_get_429_from_any_address_but_its_holder_gets_in(admin_key) -> None:
    wrong = {"X-Client-ID": admin_key[0].key_id, "X-Client-Secret": keys.new_access_key_secret()}
    for index in range(LIMIT):
        assert _account(wrong, REMOTE_ADDR=f"203.0.113.{index + 1}").status_code == 401
    refused = _account(wrong, REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    assert "for this access key" in refused.json()["detail"]
    assert _account(_access(admin_key), REMOTE_ADDR="198.51.100.1").status_code == 200


def test_failures_from_one_address_do_not_touch_another_address(admin_key) -> None:
    for _ in range(LIMIT + 1):
        _account(REMOTE_ADDR="203.0.113.50")
    assert _account(REMOTE_ADDR="203.0.113.51").status_code == 401


@override_settings(CREDHUB_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_each_client_is_counted_by_its_own_address(admin_key) -> None:
    for _ in range(LIMIT + 1):
        _account(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.60")
    assert _account(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.60").status_code == 429
    assert _account(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.61").status_code == 401


def _address(remote: str, forwarded: str | None = None) -> str | None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **meta))


def test_forwarded_headers_are_ignored_without_trusted_proxies() -> None:
    assert _address("203.0.113.5", "198.51.100.1") == "203.0.113.5"


@override_settings(CREDHUB_TRUSTED_PROXIES=["10.0.0.1", "10.1.0.0/16"])
def test_the_client_address_is_the_rightmost_untrusted_hop() -> None:
    # A client that forges a left-hand hop is still seen at its real address.
    assert _address("10.0.0.1", "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert _address("10.0.0.1", "203.0.113.7, 10.1.4.4") == "203.0.113.7"
    # A peer that is not a trusted proxy is the client, whatever it forwards.
    assert _address("203.0.113.9", "1.2.3.4") == "203.0.113.9"
    # Only trusted hops, or nothing usable: the proxy's own address.
    assert _address("10.0.0.1", "10.1.0.3") == "10.0.0.1"
    assert _address("10.0.0.1") == "10.0.0.1"
    assert _address("10.0.0.1", "not-an-address") == "10.0.0.1"


@pytest.mark.parametrize("name", ["access_token", "password", "auth", "sig", "x-api-key ", "q", "filter"])
def test_a_key_in_the_query_string_is_refused_whatever_the_parameter_is_called(admin_key, name) -> None:
    api_key = keys.create_api_key(admin_key[0].organization, "legacy")[1]
    for value in (admin_key[1], api_key):
        response = _account(_access(admin_key), query=f"?{name}={value}")
        assert response.status_code == 401
        assert "query string" in response.json()["detail"]


def test_a_query_value_that_only_resembles_a_key_is_not_refused(admin_key) -> None:
    lookalike = admin_key[1][:-1] + ("A" if admin_key[1][-1] != "A" else "B")  # checksum no longer matches
    assert _account(_access(admin_key), query=f"?note={lookalike}&chsk_=1").status_code == 200
