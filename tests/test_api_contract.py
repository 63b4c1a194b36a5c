"""The JSON API keeps the promises of its OpenAPI document, checked by schemathesis on a live server.

Every operation gets positive and negative data (a bounded number of examples each), sent with an
admin's access key and with a member's: no answer is a server error, and every answer — status code,
headers, body — is one the document declares.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from credentials import keys
from credentials.api import api
from credentials.models import Credential, Membership, Organization
from tests.clients import access_headers
from tests.factories import make_credential

EXAMPLES_PER_OPERATION = 20

# A credential body that fits the document may still break a rule no JSON Schema can state: a name
# already taken in the organization, a Base URL that is no http(s) URL, an organization row naming
# no child organization, a type the connector does not allow, a connector's fixed header names. For
# these two operations a schema-valid body may be refused, but only by those rules: a 400 that names
# the fields and says what is wrong, in the overlay's words, never a schema message.
# The same holds for webhook endpoints: a URL that is no http(s) URL, a credential of another organization.
BODIES_CHECKED_BY_RULES = {
    ("POST", "/api/v1/credentials"),
    ("PATCH", "/api/v1/credentials/{credential_id}"),
    ("POST", "/api/v1/webhooks"),
    ("PATCH", "/api/v1/webhooks/{endpoint_id}"),
    # An access key: an expiry period the policy does not offer, a credential of another organization.
    ("POST", "/api/v1/access-keys"),
    ("PATCH", "/api/v1/access-keys/{key_id}"),
}
SCHEMA_MESSAGES = ("Input should", "Field required", "Extra inputs", "Unable to", "Invalid JSON")


def refused_by_the_rules(ctx, response, case) -> bool | None:
    if case.meta is None or not case.meta.generation.mode.is_positive or response.status_code != 400:
        return None
    errors = response.json().get("errors") or {}
    assert errors, f"A schema-valid body was refused without naming a field: {response.text}"
    messages = [message for field_messages in errors.values() for message in field_messages]
    schema_messages = [m for m in messages if m.startswith(SCHEMA_MESSAGES)]
    assert not schema_messages, f"A schema-valid body was refused by the parser: {response.text}"
    return True


@pytest.fixture
def contract_keys(transactional_db, django_user_model, settings) -> dict[str, Any]:
    # schemathesis also sends every operation without a key and expects 401; past the failure limit
    # (20 a minute from one address, and every request here comes from loopback) that is a 429.
    settings.CREDHUB_API_FAILURE_LIMIT = 10**6
    acme = Organization.objects.create(
        name="Acme", slug="acme", api_credentials_enabled=True, account_domain="acme.test"
    )
    Organization.objects.create(name="Acme East", slug="acme-east", parent=acme)
    held = {}
    for role in (Membership.Role.ADMIN, Membership.Role.MEMBER):
        user = django_user_model.objects.create_user(f"acme-{role}", f"{role}@example.com", "test-password-123")
        Membership.objects.create(user=user, organization=acme, role=role)
        held[str(role)] = access_headers(keys.create_access_key(acme, f"Contract {role}", owner=user))
    # Something to read, change, test and delete: the document's paths take a real ID too.
    # Test connection sends to its Base URL: a closed port on loopback, refused at once.
    credential = make_credential(acme, "Billing API", base_url="http://127.0.0.1:9/", auth_type="none", secrets={})
    held["credential_id"] = str(credential.pk)
    return held


# The document the API serves, built at collection time (schemathesis's lazy fixture loader does not
# run on this pytest); test_the_served_document_is_the_one_checked proves the server serves this one.
DOCUMENT = api.get_openapi_schema(path_prefix="/api/v1/")
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES_PER_OPERATION
)


def test_the_served_document_is_the_one_checked(live_server) -> None:
    served = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(DOCUMENT))


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_answer_is_documented(case, live_server, contract_keys) -> None:
    rules_decide = (case.method, case.path) in BODIES_CHECKED_BY_RULES
    credential_id = contract_keys["credential_id"]
    # A drawn UUID names no credential: positive cases name the one that exists, so that reading,
    # changing, testing and deleting it are checked too (negative ones keep their malformed IDs).
    if "credential_id" in (case.path_parameters or {}) and case.meta and case.meta.generation.mode.is_positive:
        case.path_parameters["credential_id"] = credential_id
    for role in (Membership.Role.ADMIN, Membership.Role.MEMBER):
        case.call_and_validate(
            base_url=live_server.url,
            headers=contract_keys[str(role)],
            excluded_checks=[positive_data_acceptance] if rules_decide else [],
            additional_checks=[refused_by_the_rules] if rules_decide else [],
        )
    assert Credential.objects.exists() or case.method == "DELETE"
