"""What using a credential costs: building its session (decrypting the secrets), signing, and a round trip."""

from __future__ import annotations

import logging
import time

import requests
from pytest_httpserver import HTTPServer

from credentials import outbound
from credentials.models import Credential, Organization


def _per_call(label: str, count: int, call) -> None:
    start = time.perf_counter()
    for _ in range(count):
        call()
    elapsed = time.perf_counter() - start
    print(f"{label:<52} {elapsed / count * 1e6:9.1f} µs/call  ({count} calls)")


def run() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one access-log line per request otherwise
    organization, _ = Organization.objects.get_or_create(slug="bench-outbound", defaults={"name": "Bench"})
    server = HTTPServer(host="127.0.0.1", port=0)
    server.expect_request("/").respond_with_data("ok")
    server.start()
    try:
        credentials = {
            auth_type: Credential.objects.create(
                organization=organization,
                name=f"bench {auth_type}",
                base_url=server.url_for("/"),
                auth_type=auth_type,
                secrets=secrets,
                auth_settings=auth_settings,
            )
            for auth_type, secrets, auth_settings in (
                ("basic", {"username": "u", "password": "p"}, {}),
                ("hmac_sha256", {"client_id": "c", "client_secret": "s"}, {}),
                ("aws4", {"access_key": "AK", "secret_key": "SK"}, {"region": "eu-west-1", "service": "execute-api"}),
            )
        }
        for auth_type, credential in credentials.items():
            credential = Credential.objects.get(pk=credential.pk)  # secrets sealed, as in a request
            _per_call(
                f"session_for ({auth_type}, decrypts the secrets)", 500, lambda c=credential: outbound.session_for(c)
            )
        for auth_type, credential in credentials.items():
            session = outbound.session_for(credential)
            request = requests.Request("POST", server.url_for("/?b=2&a=1"), data=b"x" * 1024)
            _per_call(f"sign one 1 KiB POST ({auth_type})", 2000, lambda s=session, r=request: s.prepare_request(r))
        session = outbound.session_for(credentials["hmac_sha256"])
        _per_call("GET round trip, loopback werkzeug server (HMAC)", 300, lambda: session.get("/"))
        _per_call("allowed_addresses('127.0.0.1') (policy check only)", 2000, lambda: _check("127.0.0.1"))
    finally:
        server.stop()
        Credential.objects.filter(organization=organization).delete()


def _check(address: str) -> None:
    try:
        outbound.allowed_addresses(address, 80)
    except outbound.RefusedTarget:
        pass
