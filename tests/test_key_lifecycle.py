"""Deactivating, reactivating and rolling keys, and what their last use records: over the JSON API
with real keys, and on Settings > API authentication."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from credentials import keys
from credentials.models import AccessKey, APIKey, AuditEvent, Connection, Organization
from tests.factories import make_connection

ACCOUNT = "/api/v1/account"


def access_key_call(key_id: str, secret: str, path: str = ACCOUNT):
    return Client().get(path, headers={"X-Client-ID": key_id, "X-Client-Secret": secret})


def api_key_call(key: str):
    return Client().get(ACCOUNT, headers={"x-api-key": key})


# Deactivate and reactivate ----------------------------------------------------------------------


def test_a_deactivated_access_key_is_refused_and_works_again_once_reactivated(
    admin_client, organization, admin_key
) -> None:
    access_key, secret = admin_key
    connection = make_connection(organization, "Warehouse", access_key=access_key)
    assert access_key_call(access_key.key_id, secret).status_code == 200

    url = reverse("access_key_deactivate", args=[organization.slug, access_key.pk])
    confirm = admin_client.get(url)
    assert "Deactivate access key “CI”?" in confirm.content.decode()
    assert "Connections established with it are not revoked." in confirm.content.decode()
    response = admin_client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Inactive" in response.content.decode()

    refused = access_key_call(access_key.key_id, secret)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized", "detail": "This access key is inactive."}
    # Deactivation is meant to be undone: the connections established with the key stay as they were.
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE

    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Inactive" in page and "Reactivate" in page

    admin_client.post(reverse("access_key_reactivate", args=[organization.slug, access_key.pk]))
    assert access_key_call(access_key.key_id, secret).status_code == 200
    events = list(AuditEvent.objects.filter(target_id=str(access_key.pk)).values_list("action", flat=True))
    assert sorted(events) == ["access_key.deactivated", "access_key.reactivated"]


def test_a_revoked_key_says_revoked_even_when_also_inactive(organization, admin_key) -> None:
    access_key, secret = admin_key
    AccessKey.objects.filter(pk=access_key.pk).update(
        revoked_at="2026-01-01T00:00:00Z", deactivated_at="2026-01-01T00:00:00Z"
    )
    assert access_key_call(access_key.key_id, secret).json()["detail"] == keys.REVOKED


def test_another_organizations_admin_cannot_deactivate_a_key(outsider_client, organization, admin_key) -> None:
    access_key, secret = admin_key
    response = outsider_client.post(reverse("access_key_deactivate", args=[organization.slug, access_key.pk]))
    assert response.status_code in (403, 404)
    assert access_key_call(access_key.key_id, secret).status_code == 200


def test_a_deactivated_api_key_is_refused_and_works_again_once_reactivated(
    admin_client, organization, admin_user
) -> None:
    api_key, key = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    assert api_key_call(key).status_code == 200
    admin_client.post(reverse("api_key_deactivate", args=[organization.slug, api_key.pk]))
    refused = api_key_call(key)
    assert refused.status_code == 401
    assert refused.json() == {"error": "Unauthorized", "detail": "This API key is inactive."}
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Reactivate" in page
    admin_client.post(reverse("api_key_reactivate", args=[organization.slug, api_key.pk]))
    assert api_key_call(key).status_code == 200


def test_api_keys_cannot_be_deactivated_while_the_policy_refuses_them(admin_client, organization, admin_user) -> None:
    api_key, _ = keys.create_api_key(organization, "Zapier", created_by=admin_user)
    Organization.objects.filter(pk=organization.pk).update(api_key_policy=Organization.APIKeyPolicy.DISABLED)
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert (
        "Deactivate API key" not in page
        and reverse("api_key_deactivate", args=[organization.slug, api_key.pk]) not in page
    )
    response = admin_client.post(reverse("api_key_deactivate", args=[organization.slug, api_key.pk]))
    assert response.status_code == 403
    assert APIKey.objects.get().deactivated_at is None


def test_the_admin_deactivates_and_reactivates_selected_keys(organization, admin_key, django_user_model) -> None:
    access_key, secret = admin_key
    operator = django_user_model.objects.create_superuser("ops", "ops@example.com", "ops-password-123")
    client = Client()
    client.force_login(operator)
    changelist = reverse("admin:credentials_accesskey_changelist")
    response = client.post(
        changelist, {"action": "deactivate_selected_keys", "_selected_action": [str(access_key.pk)]}, follow=True
    )
    assert "Deactivated 1 access key." in response.content.decode()
    assert access_key_call(access_key.key_id, secret).status_code == 401
    assert "Inactive" in client.get(changelist).content.decode()
    client.post(changelist, {"action": "reactivate_selected_keys", "_selected_action": [str(access_key.pk)]})
    assert access_key_call(access_key.key_id, secret).status_code == 200
    assert AuditEvent.objects.filter(action="access_key.deactivated", details__via="Django admin").exists()
