"""Deactivating, reactivating and rolling keys, and what their last use records: over the JSON API
with real keys, and on Settings > API authentication."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from credentials import keys
from credentials.models import AccessKey, APIKey, AuditEvent, Connection, Organization
from tests.clients import shown_once
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


# Roll a key -------------------------------------------------------------------------------------


def roll(admin_client, organization, access_key, grace: str) -> str:
    """Roll ``access_key`` on the screen, as htmx does, and return the new secret read from the answer."""
    response = admin_client.post(
        reverse("access_key_roll", args=[organization.slug, access_key.pk]),
        {"grace": grace},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    found = re.search(r'<textarea id="new-key-secret"[^>]*>(chsk_[0-9A-Za-z]+)</textarea>', response.content.decode())
    assert found, response.content.decode()
    return found.group(1)


def test_during_a_roll_both_secrets_work_and_after_it_only_the_new_one(admin_client, organization, admin_key) -> None:
    access_key, old_secret = admin_key
    connection = make_connection(organization, "Warehouse", access_key=access_key)
    new_secret = roll(admin_client, organization, access_key, "24h")
    assert new_secret != old_secret
    assert access_key_call(access_key.key_id, old_secret).status_code == 200
    assert access_key_call(access_key.key_id, new_secret).status_code == 200
    assert AccessKey.objects.get().key_id == access_key.key_id

    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Rolling: previous secret stops working in 23 h" in page
    assert new_secret not in page and old_secret not in page

    # The grace time ends: set in the database rather than waited for.
    AccessKey.objects.filter(pk=access_key.pk).update(previous_secret_until=timezone.now() - timedelta(seconds=1))
    refused = access_key_call(access_key.key_id, old_secret)
    assert refused.status_code == 401 and refused.json()["detail"] == keys.INCORRECT
    assert access_key_call(access_key.key_id, new_secret).status_code == 200
    assert "Rolling:" not in admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.ACTIVE
    event = AuditEvent.objects.get(action="access_key.rolled")
    assert event.details["ended_earlier_roll"] is False and new_secret not in str(event.details)


def test_rolling_now_ends_the_current_secret_at_once(admin_client, organization, admin_key) -> None:
    access_key, old_secret = admin_key
    new_secret = roll(admin_client, organization, access_key, "now")
    assert access_key_call(access_key.key_id, old_secret).status_code == 401
    assert access_key_call(access_key.key_id, new_secret).status_code == 200


def test_rolling_again_while_rolling_ends_the_oldest_secret_at_once(admin_client, organization, admin_key) -> None:
    access_key, first = admin_key
    second = roll(admin_client, organization, access_key, "7d")
    third = roll(admin_client, organization, access_key, "1h")
    assert access_key_call(access_key.key_id, first).status_code == 401
    assert access_key_call(access_key.key_id, second).status_code == 200
    assert access_key_call(access_key.key_id, third).status_code == 200
    assert AuditEvent.objects.filter(action="access_key.rolled").latest("pk").details["ended_earlier_roll"] is True


def test_the_previous_secret_never_outlives_the_key(admin_client, organization, admin_user) -> None:
    expires_at = timezone.now() + timedelta(hours=2)
    access_key, old_secret = keys.create_access_key(organization, "Short", owner=admin_user, expires_at=expires_at)
    roll(admin_client, organization, access_key, "7d")
    assert AccessKey.objects.get().previous_secret_until == expires_at


def test_a_revoked_key_cannot_be_rolled_and_the_dialog_says_why(admin_client, organization, admin_key) -> None:
    access_key, secret = admin_key
    AccessKey.objects.filter(pk=access_key.pk).update(revoked_at=timezone.now())
    response = admin_client.post(reverse("access_key_roll", args=[organization.slug, access_key.pk]), {"grace": "1h"})
    assert response.status_code == 422
    assert "A revoked access key cannot be rolled." in response.content.decode()
    assert AccessKey.objects.get().secret_hash == access_key.secret_hash


def test_an_unknown_grace_choice_is_a_message_next_to_the_field(admin_client, organization, admin_key) -> None:
    access_key, _ = admin_key
    response = admin_client.post(reverse("access_key_roll", args=[organization.slug, access_key.pk]), {"grace": "90d"})
    assert response.status_code == 422
    assert "Choose when the current secret stops working." in response.content.decode()


def test_a_wrong_secret_during_a_roll_is_refused_like_any_wrong_secret(admin_client, organization, admin_key) -> None:
    access_key, _ = admin_key
    roll(admin_client, organization, access_key, "24h")
    wrong = keys.new_access_key_secret()
    for key_id in (access_key.key_id, keys.new_access_key_id()):
        refused = access_key_call(key_id, wrong)
        assert refused.status_code == 401 and refused.json()["detail"] == keys.INCORRECT


def test_the_roll_key_command_prints_the_new_secret_once(organization, admin_key) -> None:
    access_key, old_secret = admin_key
    out = io.StringIO()
    call_command("roll_key", access_key.key_id, "--grace", "24h", "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["key_id"] == access_key.key_id and result["previous_secret_until"]
    assert access_key_call(access_key.key_id, result["secret"]).status_code == 200
    assert access_key_call(access_key.key_id, old_secret).status_code == 200
    assert AuditEvent.objects.get(action="access_key.rolled").details["via"] == "manage.py"


def test_the_roll_key_command_refuses_unknown_keys_and_grace_times(organization, admin_key) -> None:
    with pytest.raises(CommandError, match="No access key"):
        call_command("roll_key", keys.new_access_key_id())
    with pytest.raises(CommandError) as bad:
        call_command("roll_key", admin_key[0].key_id, "--grace", "90d")
    assert bad.value.returncode == 2


# Last used, in full -----------------------------------------------------------------------------


def test_the_last_use_records_method_and_path_without_the_query(admin_client, organization, admin_key) -> None:
    access_key, secret = admin_key
    assert access_key_call(access_key.key_id, secret, "/api/v1/credentials?page=2&q=billing").status_code == 200
    stored = AccessKey.objects.get()
    assert (stored.last_used_method, stored.last_used_path) == ("GET", "/api/v1/credentials")
    assert stored.last_used_ip == "127.0.0.1"
    # Five minutes later, as the list shows it.
    AccessKey.objects.filter(pk=access_key.pk).update(last_used_at=timezone.now() - timedelta(minutes=5, seconds=5))
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert re.search(
        r'GET /api/v1/credentials</span>, <time[^>]*>5\xa0minutes ago</time> <span class="muted">from 127.0.0.1', page
    )
    assert "billing" not in page


def test_the_last_use_is_still_written_at_most_once_a_minute(organization, admin_key) -> None:
    access_key, secret = admin_key
    access_key_call(access_key.key_id, secret, "/api/v1/credentials")
    access_key_call(access_key.key_id, secret, "/api/v1/account")
    assert AccessKey.objects.get().last_used_path == "/api/v1/credentials"
    AccessKey.objects.filter(pk=access_key.pk).update(last_used_at=timezone.now() - timedelta(minutes=2))
    access_key_call(access_key.key_id, secret, "/api/v1/account")
    assert AccessKey.objects.get().last_used_path == "/api/v1/account"


# Expiry warnings on the page --------------------------------------------------------------------


def test_the_page_warns_of_the_admins_and_system_keys_that_expire_within_7_days(
    admin_client, organization, admin_user, member_user
) -> None:
    now = timezone.now()
    keys.create_access_key(organization, "Soon", owner=admin_user, expires_at=now + timedelta(days=3, hours=1))
    keys.create_access_key(organization, "Sync", system_generated=True, expires_at=now + timedelta(hours=5, minutes=10))
    keys.create_access_key(organization, "Later", owner=admin_user, expires_at=now + timedelta(days=30))
    keys.create_access_key(organization, "Member's", owner=member_user, expires_at=now + timedelta(days=2, hours=1))
    keys.create_access_key(organization, "Gone", owner=admin_user, expires_at=now - timedelta(days=1))
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    banner = page[page.index('id="expiring-keys"') :]
    banner = banner[: banner.index("</div>")]
    assert "2 access keys expire within 7 days." in banner
    assert "Sync" in banner and "expires in 5 h" in banner and "Soon" in banner and "expires in 3 days" in banner
    assert "Later" not in banner and "Member" not in banner and "Gone" not in banner
    # Every key's row within the window says so, the member's too.
    assert page.count("Expires in 3 days") == 1 and page.count("Expires in 2 days") == 1


def test_no_warning_when_nothing_expires_soon(admin_client, organization, admin_key) -> None:
    page = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert 'id="expiring-keys"' not in page and "Expires in" not in page


def test_without_javascript_roll_and_deactivate_are_pages_of_their_own(admin_client, organization, admin_key) -> None:
    access_key, old_secret = admin_key
    roll_url = reverse("access_key_roll", args=[organization.slug, access_key.pk])
    form = admin_client.get(roll_url).content.decode()
    assert "Roll access key “CI”" in form and 'name="grace"' in form
    done = admin_client.post(roll_url, {"grace": "1h"})
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    page = done.content.decode()
    assert "Access key “CI” rolled" in page and "Download credentials" in page and access_key.key_id in page
    new_secret = shown_once(page, "new-key-secret")
    assert access_key_call(access_key.key_id, new_secret).status_code == 200

    deactivate_url = reverse("access_key_deactivate", args=[organization.slug, access_key.pk])
    assert "Deactivate access key “CI”?" in admin_client.get(deactivate_url).content.decode()
    response = admin_client.post(deactivate_url)
    assert response.status_code == 302
    assert access_key_call(access_key.key_id, new_secret).json()["detail"] == keys.INACTIVE
