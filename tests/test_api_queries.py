"""The JSON API's list and detail make the same number of queries for few rows as for many."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from credentials.models import Credential, Organization, OrganizationCredential
from tests.clients import api
from tests.factories import make_credential


def _queries(path: str, key) -> tuple[int, dict]:
    api("get", "account", key)  # the key's first use of the minute records its last use: not the list's cost
    with CaptureQueriesContext(connection) as captured:
        response = api("get", path, key)
    assert response.status_code == 200, response.content
    return len(captured), response.json()


def _org_specific(organization: Organization, name: str, rows: int) -> Credential:
    credential = make_credential(organization, name, org_specific=True)
    children = [
        Organization.objects.create(
            name=f"{name} child {i:02}", slug=f"{name.lower()}-child-{i:02}", parent=organization
        )
        for i in range(rows)
    ]
    OrganizationCredential.objects.bulk_create(
        OrganizationCredential(credential=credential, organization=child, secrets={"username": "u", "password": "p"})
        for child in children
    )
    return credential


def test_the_list_makes_the_same_queries_for_10_and_500_credentials(organization, admin_key) -> None:
    for i in range(10):
        _org_specific(organization, f"Small{i}", 2) if i < 2 else make_credential(organization, f"Small{i}")
    few, body = _queries("credentials?limit=500", admin_key)
    assert body["count"] == 10
    Credential.objects.bulk_create(
        Credential(organization=organization, name=f"Large {i:03}", base_url="https://x.example.com", auth_type="none")
        for i in range(490)
    )
    many, body = _queries("credentials?limit=500", admin_key)
    assert body["count"] == 500 and len(body["items"]) == 500
    assert many == few
    rows = {item["name"]: item["organization_credentials"] for item in body["items"]}
    assert rows["Small0"] == [{"organization": "small0-child-00"}, {"organization": "small0-child-01"}]


def test_the_detail_makes_the_same_queries_for_0_and_20_organization_rows(organization, admin_key) -> None:
    bare = _org_specific(organization, "Bare", 0)
    many = _org_specific(organization, "Many", 20)
    bare_queries, bare_body = _queries(f"credentials/{bare.pk}", admin_key)
    many_queries, many_body = _queries(f"credentials/{many.pk}", admin_key)
    assert bare_body["organization_credentials"] == []
    assert [row["organization"] for row in many_body["organization_credentials"]] == [
        f"many-child-{i:02}" for i in range(20)
    ]
    assert many_queries == bare_queries
