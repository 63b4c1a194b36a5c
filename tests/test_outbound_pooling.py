"""Outbound connections are kept alive and reused per origin, against real loopback servers that count
the connections they accept: reuse saves each call a new connection and changes nothing else."""

from __future__ import annotations

import http.server
from collections.abc import Iterator

import pytest

from credentials import outbound
from tests.factories import make_credential
from tests.loopback import loopback_server
from tests.proxying import call, content, permit


class CountingHandler(http.server.BaseHTTPRequestHandler):
    """Answers every GET with "ok", noting which connection (client port) carried it and the
    Authorization it carried; `/close` closes the connection after answering, without announcing it."""

    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        self.server.seen.append((self.client_address[1], self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
        if self.path.endswith("/close"):
            self.close_connection = True

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def upstreams() -> Iterator[list[http.server.ThreadingHTTPServer]]:
    with loopback_server(CountingHandler) as first, loopback_server(CountingHandler) as second:
        first.seen, second.seen = [], []
        yield [first, second]


@pytest.fixture(autouse=True)
def loopback_targets_in_production(settings) -> None:
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = True
    settings.CREDHUB_ENVIRONMENT = "production"


def base_url(server) -> str:
    return f"http://127.0.0.1:{server.server_port}/api"


def bearer(organization, name: str, server, token: str):
    return make_credential(
        organization,
        name,
        base_url=base_url(server),
        auth_type="bearer",
        auth_settings={"key": "Authorization"},
        secrets={"value": token},
    )


def connections(server) -> set[int]:
    return {port for port, _, _ in server.seen}


def test_proxied_calls_reuse_one_connection_to_the_upstream(upstreams, organization, admin_key) -> None:
    credential = bearer(organization, "Billing", upstreams[0], "tok-billing")
    key = permit(admin_key, credential)
    for _ in range(3):
        response = call("GET", credential, "v1/items", key)
        assert response.status_code == 200 and content(response) == b"ok"
    assert len(upstreams[0].seen) == 3 and len(connections(upstreams[0])) == 1
    assert {authorization for *_, authorization in upstreams[0].seen} == {"Bearer tok-billing"}


def test_credentials_on_one_origin_share_connections_never_authentication(upstreams, organization, admin_key):
    billing = bearer(organization, "Billing", upstreams[0], "tok-billing")
    reports = bearer(organization, "Reports", upstreams[0], "tok-reports")
    key = permit(admin_key, billing, reports)
    for credential in (billing, reports, billing, reports):
        assert content(call("GET", credential, credential.name.lower(), key)) == b"ok"
    assert [(path, authorization) for _, path, authorization in upstreams[0].seen] == [
        ("/api/billing", "Bearer tok-billing"),
        ("/api/reports", "Bearer tok-reports"),
        ("/api/billing", "Bearer tok-billing"),
        ("/api/reports", "Bearer tok-reports"),
    ]
    assert len(connections(upstreams[0])) == 1


def test_each_origin_keeps_its_own_connections(upstreams, organization) -> None:
    first, second = (bearer(organization, f"API {n}", server, f"tok-{n}") for n, server in enumerate(upstreams))
    for _ in range(2):
        for credential in (first, second):
            with outbound.session_for(credential) as session:
                assert session.get("/items").text == "ok"
    for n, server in enumerate(upstreams):
        assert {authorization for *_, authorization in server.seen} == {f"Bearer tok-{n}"}
        assert len(server.seen) == 2 and len(connections(server)) == 1


def test_a_connection_the_upstream_closed_is_replaced(upstreams, organization, admin_key) -> None:
    credential = bearer(organization, "Billing", upstreams[0], "tok-billing")
    key = permit(admin_key, credential)
    assert content(call("GET", credential, "close", key)) == b"ok"
    response = call("GET", credential, "items", key)
    assert response.status_code == 200 and content(response) == b"ok"
    assert len(connections(upstreams[0])) == 2


def test_the_address_check_runs_on_each_new_connection(upstreams, organization, admin_key, settings) -> None:
    credential = bearer(organization, "Billing", upstreams[0], "tok-billing")
    key = permit(admin_key, credential)
    assert content(call("GET", credential, "items", key)) == b"ok"  # a loopback connection, kept alive
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = False
    refused = call("GET", credential, "items", key)
    assert refused.status_code == 502 and refused["Credhub-Error"] == "refused_target"
    assert "loopback" in refused.json()["detail"]
    assert len(upstreams[0].seen) == 1  # the kept connection was not used for the refused call
