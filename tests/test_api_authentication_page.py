"""Settings > API authentication: who may open it, what each action does, and what it audits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credentials import keys
from credentials.models import AccessKey, APIKey, AuditEvent, Connection, Organization
from tests.clients import shown_once

PAGE = "/o/acme/settings/api-authentication/"


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("at", "id").values_list("action", flat=True))


def test_member_gets_403_and_outsider_404(member_client, outsider_client, organization) -> None:
    assert member_client.get(PAGE).status_code == 403
    assert member_client.post(f"{PAGE}access-keys/new/", {"name": "x", "expiry": "30"}).status_code == 403
    assert outsider_client.get(PAGE).status_code == 404
    assert outsider_client.post(f"{PAGE}debug-key/show/").status_code == 404
    assert Client().get(PAGE).status_code == 302  # anonymous: the login page
    assert not AccessKey.objects.exists() and not AuditEvent.objects.exists()


def test_page_works_with_the_feature_flag_off(admin_client, organization) -> None:
    organization.api_credentials_enabled = False
    organization.save()
    response = admin_client.get(PAGE)
    assert response.status_code == 200
    assert admin_client.get("/o/acme/settings/").url == PAGE


def test_page_shows_identifiers_but_not_the_debug_key(admin_client, organization) -> None:
    content = admin_client.get(PAGE).content.decode()
    assert organization.account_id in content and "acme.test" in content
    assert organization.debug_session_key not in content
    assert 'aria-current="page">API authentication' in content


def test_show_debug_key_is_audited(admin_client, organization) -> None:
    response = admin_client.post(f"{PAGE}debug-key/show/", headers={"HX-Request": "true"})
    assert organization.debug_session_key in response.content.decode()
    assert actions() == ["debug_session_key.revealed"]
    old = organization.debug_session_key
    response = admin_client.post(f"{PAGE}debug-key/regenerate/", headers={"HX-Request": "true"})
    organization.refresh_from_db()
    assert organization.debug_session_key != old and organization.debug_session_key in response.content.decode()
    assert actions()[-1] == "debug_session_key.regenerated"


def test_csrf_is_enforced(admin_user, organization) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    for path, data in [
        ("debug-key/show/", {}),
        ("access-keys/new/", {"name": "CI", "expiry": "30"}),
        ("expiry/", {"periods": ["30"], "default": "30"}),
        ("api-keys/new/", {"name": "Zap"}),
    ]:
        assert client.post(f"{PAGE}{path}", data).status_code == 403
    assert not AccessKey.objects.exists() and not APIKey.objects.exists() and not AuditEvent.objects.exists()


def test_create_access_key_shows_the_secret_once(admin_client, admin_user, organization) -> None:
    response = admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "30"})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    access_key = AccessKey.objects.get()
    content = response.content.decode()
    secret = shown_once(content, "new-key-secret")
    assert keys.authenticate_access_key(access_key.key_id, secret).role == "admin"
    assert access_key.owner == admin_user
    assert timedelta(days=29) < access_key.expires_at - timezone.now() <= timedelta(days=30)
    assert secret not in admin_client.get(PAGE).content.decode()
    event = AuditEvent.objects.get(action="access_key.created")
    assert event.details["key_id"] == access_key.key_id and secret not in str(event.details)


def test_expiry_outside_the_policy_is_refused(admin_client, organization) -> None:
    response = admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "never"})
    assert response.status_code == 422
    assert "Choose one of the expiry periods this organization offers." in response.content.decode()
    organization.access_key_expiry_periods = [7]
    organization.save()
    assert admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "90"}).status_code == 422
    assert not AccessKey.objects.exists()


def test_expiry_settings_change_what_is_offered(admin_client, organization) -> None:
    response = admin_client.post(
        f"{PAGE}expiry/", {"periods": ["7", "365"], "allow_no_expiry": "on", "default": "never"}
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.access_key_expiry_periods == [7, 365] and organization.access_key_allow_no_expiry
    assert organization.access_key_default_expiry is None
    assert actions() == ["access_key_policy.changed"]
    form = admin_client.get(f"{PAGE}access-keys/new/").content.decode()
    assert '<option value="never" selected>No expiry</option>' in form and "30 days" not in form
    assert admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "never"}).status_code == 200
    assert AccessKey.objects.get().expires_at is None


def test_expiry_settings_must_be_consistent(admin_client, organization) -> None:
    response = admin_client.post(f"{PAGE}expiry/", {"periods": ["7"], "default": "30"})
    assert response.status_code == 422
    assert "Choose a default among the periods offered." in response.content.decode()
    response = admin_client.post(f"{PAGE}expiry/", {"default": "never"})
    assert "Offer at least one expiry period" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_system_keys_are_hidden_until_asked_for_and_come_first(admin_client, admin_user, organization) -> None:
    keys.create_access_key(organization, "Alpha", owner=admin_user)
    keys.create_access_key(organization, "Zeta sync", system_generated=True)
    content = admin_client.get(PAGE).content.decode()
    assert "Alpha" in content and "Zeta sync" not in content
    content = admin_client.get(f"{PAGE}?system=1", headers={"HX-Request": "true", "HX-Target": "access-keys"})
    content = content.content.decode()
    assert content.index("Zeta sync") < content.index("Alpha") and ">System</span>" in content
    assert "<h1>" not in content  # the htmx filter swaps the section only


def test_expired_revoked_and_used_keys_say_so(admin_client, admin_user, organization) -> None:
    keys.create_access_key(organization, "Old", owner=admin_user, expires_at=timezone.now() - timedelta(minutes=1))
    revoked, _ = keys.create_access_key(organization, "Gone", owner=admin_user)
    AccessKey.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    used, secret = keys.create_access_key(organization, "Busy", owner=admin_user)
    keys.authenticate_access_key(used.key_id, secret, address="192.0.2.7")
    content = admin_client.get(PAGE).content.decode()
    assert ">Expired</span>" in content and ">Revoked</span>" in content and "from 192.0.2.7" in content


def test_rename_and_delete_are_audited_and_delete_revokes(admin_client, admin_user, organization) -> None:
    access_key, _ = keys.create_access_key(organization, "CI", owner=admin_user)
    Connection.objects.create(
        organization=organization, kind="source", connector="http_api", name="Nightly import", access_key=access_key
    )
    response = admin_client.post(f"{PAGE}access-keys/{access_key.pk}/rename/", {"name": "Deploys"})
    assert response.status_code == 302
    access_key.refresh_from_db()
    assert access_key.name == "Deploys"
    confirm = admin_client.get(f"{PAGE}access-keys/{access_key.pk}/delete/", headers={"HX-Request": "true"})
    assert "Nightly import" in confirm.content.decode()
    response = admin_client.post(f"{PAGE}access-keys/{access_key.pk}/delete/", headers={"HX-Request": "true"})
    assert "Revoked connections: Nightly import." in response.content.decode()
    assert "credhub:close-dialog" in response["HX-Trigger"]
    assert Connection.objects.get().status == "revoked" and not AccessKey.objects.exists()
    assert actions() == ["access_key.renamed", "access_key.deleted"]


def test_other_organizations_keys_are_not_found(admin_client, other_organization) -> None:
    theirs, _ = keys.create_access_key(other_organization, "Theirs")
    their_api_key, _ = keys.create_api_key(other_organization, "Theirs")
    assert admin_client.post(f"{PAGE}access-keys/{theirs.pk}/delete/").status_code == 404
    assert admin_client.post(f"{PAGE}access-keys/{theirs.pk}/rename/", {"name": "Mine"}).status_code == 404
    assert admin_client.post(f"{PAGE}api-keys/{their_api_key.pk}/delete/").status_code == 404
    assert AccessKey.objects.filter(pk=theirs.pk).exists() and APIKey.objects.filter(pk=their_api_key.pk).exists()


def test_api_keys_when_enabled(admin_client, organization) -> None:
    response = admin_client.post(f"{PAGE}api-keys/new/", {"name": "Zapier"})
    content = response.content.decode()
    key = shown_once(content, "new-api-key")
    api_key = APIKey.objects.get()
    assert keys.authenticate_api_key(key).api_key == api_key
    assert key not in admin_client.get(PAGE).content.decode()
    response = admin_client.post(f"{PAGE}api-keys/{api_key.pk}/regenerate/")
    new = shown_once(response.content.decode(), "new-api-key")
    with pytest.raises(keys.KeyRejected):
        keys.authenticate_api_key(key)
    assert keys.authenticate_api_key(new).api_key == api_key
    assert admin_client.post(f"{PAGE}api-keys/{api_key.pk}/delete/").status_code == 302
    assert not APIKey.objects.exists()
    assert actions() == ["api_key.created", "api_key.regenerated", "api_key.deleted"]


@pytest.mark.parametrize("policy", [Organization.APIKeyPolicy.DEPRECATED, Organization.APIKeyPolicy.DISABLED])
def test_api_keys_cannot_be_generated_unless_enabled(admin_client, admin_user, organization, policy) -> None:
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    organization.api_key_policy = policy
    organization.api_key_sunset_at = timezone.now() + timedelta(days=10)
    organization.save()
    content = admin_client.get(PAGE).content.decode().split('id="api-keys"')[1].split("</section>")[0]
    assert "Generate API key" not in content and "Regenerate" not in content and "Zapier" in content
    if policy == Organization.APIKeyPolicy.DEPRECATED:
        assert "API keys are deprecated and will stop working on" in content
    else:
        assert "API keys are disabled for this organization." in content
    assert admin_client.post(f"{PAGE}api-keys/new/", {"name": "More"}).status_code == 403
    assert admin_client.post(f"{PAGE}api-keys/{api_key.pk}/regenerate/").status_code == 403
    assert APIKey.objects.count() == 1
    assert admin_client.post(f"{PAGE}api-keys/{api_key.pk}/delete/").status_code == 302
    assert not APIKey.objects.exists()


def test_every_screen_works_without_javascript(admin_client, admin_user, organization) -> None:
    access_key, _ = keys.create_access_key(organization, "CI", owner=admin_user)
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    for path, text in [
        ("access-keys/new/", "Create access key"),
        (f"access-keys/{access_key.pk}/rename/", f"Name of access key {access_key.key_id}"),
        (f"access-keys/{access_key.pk}/delete/", "Delete access key “CI”?"),
        (f"api-keys/{api_key.pk}/regenerate/", "Regenerate API key “Zapier”?"),
        (f"api-keys/{api_key.pk}/delete/", "Delete API key “Zapier”?"),
    ]:
        response = admin_client.get(f"{PAGE}{path}")
        content = response.content.decode()
        assert response.status_code == 200 and "<html" in content and text in content
    response = admin_client.post(f"{PAGE}debug-key/show/")
    assert response.status_code == 200 and organization.debug_session_key in response.content.decode()


# Tenancy -----------------------------------------------------------------------------------------


def test_another_organizations_api_key_is_not_found(admin_client, organization, other_organization) -> None:
    their_api_key, _ = keys.create_api_key(other_organization, "Theirs")
    prefix = their_api_key.prefix
    for method in ("get", "post"):
        response = getattr(admin_client, method)(
            reverse("api_key_regenerate", args=[organization.slug, their_api_key.pk])
        )
        assert response.status_code == 404
    their_api_key.refresh_from_db()
    assert their_api_key.prefix == prefix
