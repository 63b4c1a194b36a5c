"""The Django admin as an operator sees it: every page renders, no secret ever shows, changes are audited."""

from __future__ import annotations

import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from credentials.actions.webhooks import do_create_endpoint
from credentials.models import (
    AccessKey,
    APIKey,
    AuditEvent,
    Connection,
    Credential,
    Organization,
    OrganizationCredential,
    WebhookEndpoint,
)
from credentials.webhooks.events import emit, endpoint_data
from tests.factories import make_connection, make_system_key

PLAINTEXT_SECRETS = [
    "analytics@acme.example.com",
    "demo-password-not-real",
    "demo-kimp-key-not-real",
    "demo-east",
    "demo-west",
    "s3cret-basic-password",
]


@pytest.fixture
def operator(django_user_model):
    return django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123")


@pytest.fixture
def operator_client(operator) -> Client:
    client = Client()
    client.force_login(operator)
    return client


@pytest.fixture
def seeded(db):
    """The demo data, plus an access key, an API key and an audit event: something for every admin page."""
    call_command("seed_demo", stdout=io.StringIO())
    acme = Organization.objects.get(slug="acme")
    access_key, key_secret = make_system_key(acme, expires_in_days=30)
    make_connection(acme, access_key=access_key)
    api_key = APIKey.objects.create(organization=acme, name="Legacy", prefix="chk_ab12", secret_hash="f" * 64)
    call_command("create_system_key", "acme", "--name", "Nightly export", stdout=io.StringIO())
    stored = Credential.objects.filter(secrets__isnull=False).values_list("secrets", flat=True)
    tokens = [sealed.token for sealed in stored]
    tokens += [sealed.token for sealed in OrganizationCredential.objects.values_list("secrets", flat=True)]
    never_shown = PLAINTEXT_SECRETS + tokens + [key_secret, access_key.secret_hash, api_key.secret_hash]
    never_shown += [organization.debug_session_key for organization in Organization.objects.all()]
    endpoint, signing_secret = do_create_endpoint(
        acme, name="Ops hooks", url="https://hooks.example.com/in", event_types=[], actor="test"
    )
    emit(acme, "webhook.test", {"endpoint": endpoint_data(endpoint)}, endpoints=[endpoint])
    never_shown += [signing_secret, WebhookEndpoint.objects.get(pk=endpoint.pk).signing_secret.token]
    return {"organization": acme, "access_key": access_key, "never_shown": never_shown}


def _registered():
    return [model for model in admin.site._registry if model._meta.app_label == "credentials"]


def test_every_model_is_registered() -> None:
    assert {model.__name__ for model in _registered()} == {
        "AccessKey",
        "APIKey",
        "AuditEvent",
        "Connection",
        "Credential",
        "Membership",
        "Organization",
        "OrganizationCredential",
        "WebhookDelivery",
        "WebhookEndpoint",
    }


def test_every_changelist_and_change_page_renders_without_a_secret(operator_client, seeded) -> None:
    pages = []
    for model in _registered():
        opts = model._meta
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        obj = model.objects.first()
        assert obj is not None, f"no seeded {opts.model_name}"
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk]))
        if opts.model_name in {"organization", "membership", "connection"}:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    assert len(pages) == 23
    user = Organization.objects.get(slug="acme").memberships.first().user
    pages.append(reverse("admin:auth_user_change", args=[user.pk]))
    _, _, salt, digest = user.password.split("$")
    seeded["never_shown"] += [salt[:6], digest[:6]]
    for url in pages:
        response = operator_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for secret in seeded["never_shown"]:
            assert secret not in html, f"{url} shows a secret, hash, token or debug key"


def test_credential_page_shows_metadata_and_no_secret_field(operator_client, basic_credential) -> None:
    response = operator_client.get(reverse("admin:credentials_credential_change", args=[basic_credential.pk]))
    html = response.content.decode()
    assert "Billing API" in html and "https://billing.example.com" in html
    assert 'name="secrets"' not in html
    assert 'name="secret_hash"' not in html


def test_saving_a_credential_in_the_admin_keeps_its_secret_and_is_audited(
    operator_client, operator, basic_credential
) -> None:
    token_before = Credential.objects.get(pk=basic_credential.pk).secrets.token
    response = operator_client.post(
        reverse("admin:credentials_credential_change", args=[basic_credential.pk]),
        {
            "name": "Billing API v2",
            "description": "Invoices",
            "base_url": "https://billing.example.com",
            "content_type": "application/json",
            "extra_headers": "[]",
            "initial-extra_headers": "[]",  # what the page's hidden input sends back (callable default)
            # A masked value posted by a tampering client: there is no field to receive it.
            "secrets": "********",
            "organization_credentials-TOTAL_FORMS": "0",
            "organization_credentials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    credential = Credential.objects.get(pk=basic_credential.pk)
    assert credential.name == "Billing API v2"
    assert credential.secrets.token == token_before
    assert credential.secrets.reveal() == {"username": "billing-user", "password": "s3cret-basic-password"}
    event = AuditEvent.objects.get(action="credential.edited")
    assert event.actor == "ops" and event.actor_user == operator
    assert event.address == "127.0.0.1"
    assert event.details["changed"] == ["name"] and event.details["via"] == "Django admin"


def test_search_finds_an_organization_by_its_debug_session_key_exactly(operator_client, organization) -> None:
    url = reverse("admin:credentials_organization_changelist")
    key = organization.debug_session_key
    found = operator_client.get(url, {"q": key}).context["cl"].result_list
    assert list(found) == [organization]
    assert list(operator_client.get(url, {"q": key[:-2]}).context["cl"].result_list) == []
    by_account = operator_client.get(url, {"q": organization.account_id}).context["cl"].result_list
    assert list(by_account) == [organization]
    by_name = operator_client.get(url, {"q": "acme"}).context["cl"].result_list
    assert set(by_name) == set(Organization.objects.filter(name__icontains="acme"))


def test_revoke_selected_keys_revokes_keys_and_their_connections_and_is_audited(
    operator_client, operator, seeded
) -> None:
    access_key = seeded["access_key"]
    response = operator_client.post(
        reverse("admin:credentials_accesskey_changelist"),
        {"action": "revoke_selected_keys", "_selected_action": [str(access_key.pk)]},
        follow=True,
    )
    assert "Revoked 1 access key and 1 connection." in response.content.decode()
    access_key.refresh_from_db()
    assert access_key.revoked_at is not None
    connection = Connection.objects.get(name="Warehouse")
    assert connection.status == Connection.Status.REVOKED
    event = AuditEvent.objects.get(action="access_key.revoked")
    assert event.actor_user == operator and event.organization == seeded["organization"]
    assert event.details["revoked_connections"] == ["Warehouse"]
    assert event.details["key_id"] == access_key.key_id


def test_changing_a_policy_in_the_admin_is_audited_with_old_and_new_values(
    operator_client, operator, organization
) -> None:
    url = reverse("admin:credentials_organization_change", args=[organization.pk])
    form = operator_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    data.update(
        {
            "access_key_expiry_periods": ["30", "90"],
            "api_key_policy": "deprecated",
            "api_key_sunset_at_0": "2027-06-30",
            "api_key_sunset_at_1": "00:00:00",
            "api_credentials_enabled": "on",
            "parent": "",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "children-TOTAL_FORMS": "0",
            "children-INITIAL_FORMS": "0",
        }
    )
    data.pop("access_key_allow_no_expiry", None)
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    organization.refresh_from_db()
    assert organization.api_key_policy == "deprecated"
    event = AuditEvent.objects.get(action="organization.policy_changed")
    assert event.details["changes"]["api_key_policy"] == ["enabled", "deprecated"]
    assert event.details["changes"]["access_key_expiry_periods"] == [[7, 30, 60, 90, 180, 365], [30, 90]]
    assert event.actor_user == operator


def test_audit_events_are_read_only(operator_client, seeded) -> None:
    event = AuditEvent.objects.first()
    assert operator_client.get(reverse("admin:credentials_auditevent_add")).status_code == 403
    assert operator_client.get(reverse("admin:credentials_auditevent_delete", args=[event.pk])).status_code == 403
    change_url = reverse("admin:credentials_auditevent_change", args=[event.pk])
    page = operator_client.get(change_url)
    assert page.status_code == 200 and 'type="submit"' not in page.content.decode().split('id="content-main"')[1]
    assert operator_client.post(change_url, {"action": "forged"}).status_code == 403
    changelist = operator_client.get(reverse("admin:credentials_auditevent_changelist")).content.decode()
    assert "delete_selected" not in changelist
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_deleting_an_access_key_in_the_admin_revokes_its_connections(operator_client, operator, seeded) -> None:
    access_key = seeded["access_key"]
    response = operator_client.post(
        reverse("admin:credentials_accesskey_delete", args=[access_key.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not AccessKey.objects.filter(pk=access_key.pk).exists()
    assert Connection.objects.get(name="Warehouse").status == Connection.Status.REVOKED
    assert AuditEvent.objects.get(action="access_key.deleted").actor_user == operator


def test_secrets_cannot_be_added_in_the_admin(operator_client) -> None:
    for model in ("credential", "organizationcredential", "accesskey", "apikey"):
        assert operator_client.get(reverse(f"admin:credentials_{model}_add")).status_code == 403


def test_a_deprecated_policy_needs_a_sunset_date_and_defaults_must_be_offered(operator_client, organization) -> None:
    url = reverse("admin:credentials_organization_change", args=[organization.pk])
    data = {
        "name": "Acme",
        "slug": "acme",
        "access_key_expiry_periods": ["30"],
        "access_key_default_expiry": "90",
        "api_key_policy": "deprecated",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }
    html = operator_client.post(url, data).content.decode()
    assert "A deprecated policy needs the sunset date shown to admins." in html
    assert "Choose a default among the periods offered." in html  # the same rule as Settings > API authentication
    organization.refresh_from_db()
    assert organization.api_key_policy == "enabled"
    assert not AuditEvent.objects.exists()


def test_user_page_says_a_password_is_set_without_any_part_of_its_hash(operator_client, admin_user) -> None:
    html = operator_client.get(reverse("admin:auth_user_change", args=[admin_user.pk])).content.decode()
    assert "Password set." in html and "Reset password" in html
    _, iterations, salt, digest = admin_user.password.split("$")
    assert salt[:6] not in html and digest[:6] not in html and "pbkdf2" not in html


def test_adding_a_member_through_the_organization_page_is_audited(
    operator_client, operator, organization, member_user, django_user_model
) -> None:
    newcomer = django_user_model.objects.create_user("newcomer", "n@example.com", "pw-123-newcomer")
    url = reverse("admin:credentials_organization_change", args=[organization.pk])
    membership = organization.memberships.get()
    data = {
        "name": "Acme",
        "slug": "acme",
        "account_domain": "acme.test",
        "api_credentials_enabled": "on",
        "access_key_expiry_periods": ["7", "30", "60", "90", "180", "365"],
        "access_key_default_expiry": "90",
        "api_key_policy": "enabled",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-organization": str(organization.pk),
        "memberships-0-user": str(member_user.pk),
        "memberships-0-role": "admin",
        "memberships-1-organization": str(organization.pk),
        "memberships-1-user": str(newcomer.pk),
        "memberships-1-role": "member",
        "children-TOTAL_FORMS": "0",
        "children-INITIAL_FORMS": "0",
    }
    response = operator_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = AuditEvent.objects.get(action="membership.created")
    assert "newcomer" in created.target_label and created.organization == organization
    promoted = AuditEvent.objects.get(action="membership.edited")
    assert promoted.details["changed"] == ["role"] and promoted.actor_user == operator
    assert not AuditEvent.objects.filter(action__startswith="organization.").exists()


def test_deleting_a_credential_in_the_admin_revokes_its_connections(operator_client, basic_credential) -> None:
    Connection.objects.create(
        organization=basic_credential.organization,
        kind="source",
        connector="http_api",
        name="Invoices",
        credential=basic_credential,
    )
    url = reverse("admin:credentials_credential_delete", args=[basic_credential.pk])
    assert operator_client.post(url, {"post": "yes"}).status_code == 302
    assert not Credential.objects.filter(pk=basic_credential.pk).exists()
    connection = Connection.objects.get(name="Invoices")
    assert connection.status == Connection.Status.REVOKED
    assert AuditEvent.objects.get(action="credential.deleted").details["revoked_connections"] == ["Invoices"]


def test_organization_list_counts_members_and_credentials(operator_client, admin_user, member_user, basic_credential):
    html = operator_client.get(reverse("admin:credentials_organization_changelist")).content.decode()
    row = next(line for line in html.split("<tr") if ">acme<" in line)
    assert '<td class="field-member_count">2</td>' in row
    assert '<td class="field-credential_count">1</td>' in row


def test_an_access_keys_role_is_one_of_the_roles(operator_client, operator, organization) -> None:
    access_key, _ = make_system_key(organization, expires_in_days=30)
    url = reverse("admin:credentials_accesskey_change", args=[access_key.pk])
    data = {
        "name": "Warehouse sync",
        "role": "superadmin",
        "expires_at_0": "2030-01-01",
        "expires_at_1": "00:00:00",
        "credential_access": "none",
    }
    html = operator_client.post(url, data).content.decode()
    assert "Select a valid choice. superadmin is not one of the available choices." in html
    access_key.refresh_from_db()
    assert access_key.role == "member" and not AuditEvent.objects.exists()
    assert operator_client.post(url, {**data, "role": "admin"}).status_code == 302
    access_key.refresh_from_db()
    assert access_key.role == "admin"
    event = AuditEvent.objects.get(action="access_key.edited")
    assert event.actor_user == operator and set(event.details["changed"]) == {"role", "expires_at"}


def test_renaming_an_api_key_in_the_admin_is_audited_with_the_old_name(operator_client, organization) -> None:
    api_key = APIKey.objects.create(organization=organization, name="Legacy", prefix="chk_ab12", secret_hash="f" * 64)
    url = reverse("admin:credentials_apikey_change", args=[api_key.pk])
    assert operator_client.post(url, {"name": "Zapier"}).status_code == 302
    event = AuditEvent.objects.get(action="api_key.renamed")
    assert event.details["old_name"] == "Legacy" and event.details["via"] == "Django admin"
    assert APIKey.objects.get().name == "Zapier"
