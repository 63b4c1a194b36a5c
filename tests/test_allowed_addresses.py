"""An access key's allowed addresses: over the JSON API with real keys (IPv4, IPv6, IPv4-mapped IPv6, behind
trusted proxies), through the API and Settings > API authentication, the admin, and the audit log."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from credentials import allowed_addresses, keys
from credentials.actions import access_keys as actions
from credentials.models import AccessKey, AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.clients import api
from tests.proxying import call

ACCOUNT = "/api/v1/account"
FORBIDDEN = {"error": "Forbidden", "detail": "This key cannot be used from 203.0.113.9."}


def account(key: tuple, **meta):
    access_key, secret = key
    return Client(**meta).get(ACCOUNT, headers={"X-Client-ID": access_key.key_id, "X-Client-Secret": secret})


@pytest.fixture
def restricted_key(organization, admin_user) -> tuple:
    """An admin's key usable from 198.51.100.0/24 and 2001:db8:1::/48 only."""
    access_key, secret = keys.create_access_key(organization, "Restricted", owner=admin_user)
    actions.do_set_allowed_addresses(organization, access_key, ["198.51.100.0/24", "2001:db8:1::/48"], actor=admin_user)
    return access_key, secret


# The rule, over the API -------------------------------------------------------------------------


def test_an_allowed_ipv4_address_is_answered(restricted_key) -> None:
    assert account(restricted_key, REMOTE_ADDR="198.51.100.77").status_code == 200


def test_a_refused_ipv4_address_gets_403_with_the_address(restricted_key) -> None:
    refused = account(restricted_key, REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 403
    assert refused.json() == FORBIDDEN


def test_an_ipv6_range_is_matched(restricted_key) -> None:
    assert account(restricted_key, REMOTE_ADDR="2001:db8:1:ff::5").status_code == 200
    refused = account(restricted_key, REMOTE_ADDR="2001:db8:2::5")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "This key cannot be used from 2001:db8:2::5."


def test_an_ipv4_mapped_ipv6_address_counts_as_its_ipv4_address(restricted_key) -> None:
    assert account(restricted_key, REMOTE_ADDR="::ffff:198.51.100.8").status_code == 200
    assert account(restricted_key, REMOTE_ADDR="::ffff:203.0.113.9").status_code == 403


@override_settings(CREDHUB_TRUSTED_PROXIES=["10.0.0.0/8"])
def test_behind_a_trusted_proxy_the_rightmost_untrusted_hop_decides(restricted_key) -> None:
    forwarded = "203.0.113.9, 198.51.100.20, 10.0.0.7"  # the client forged the left-hand hop
    assert account(restricted_key, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded).status_code == 200
    forged = account(restricted_key, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.20, 203.0.113.9")
    assert forged.status_code == 403
    assert forged.json() == FORBIDDEN


def test_an_untrusted_forwarded_header_is_ignored(restricted_key) -> None:
    # No trusted proxies: X-Forwarded-For is the client's own words.
    refused = account(restricted_key, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.20")
    assert refused.json() == FORBIDDEN
    with override_settings(CREDHUB_TRUSTED_PROXIES=["10.0.0.0/8"]):
        # A peer that is not a trusted proxy is the client, whatever it forwards.
        refused = account(restricted_key, REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.20")
        assert refused.status_code == 403


@override_settings(CREDHUB_API_FAILURE_LIMIT=2)
def test_a_refusal_is_not_counted_as_a_failed_guess(restricted_key) -> None:
    cache.clear()
    for _ in range(5):
        assert account(restricted_key, REMOTE_ADDR="203.0.113.9").status_code == 403
    assert cache.get("credhub:api-auth-failures:address:203.0.113.9") is None
    assert cache.get(f"credhub:api-auth-failures:key:{restricted_key[0].key_id}") is None
    assert account(restricted_key, REMOTE_ADDR="198.51.100.1").status_code == 200


def test_a_refused_request_does_not_count_as_the_keys_last_use(restricted_key) -> None:
    account(restricted_key, REMOTE_ADDR="203.0.113.9")
    assert AccessKey.objects.get(pk=restricted_key[0].pk).last_used_at is None


def test_a_wrong_secret_from_a_refused_address_is_still_401(restricted_key) -> None:
    access_key, secret = restricted_key
    refused = account((access_key, secret[:-1] + ("y" if secret.endswith("x") else "x")), REMOTE_ADDR="203.0.113.9")
    assert refused.status_code == 401  # the address is never told to someone who does not hold the key


def test_the_proxy_refuses_the_key_with_the_code_forbidden(restricted_key) -> None:
    response = call("GET", "00000000-0000-0000-0000-000000000000", "x", restricted_key)
    assert response.status_code == 403
    assert response["Credhub-Error"] == "forbidden"
    assert response.json()["detail"] == "This key cannot be used from 127.0.0.1."


def test_an_unrestricted_key_works_from_anywhere(admin_key) -> None:
    assert account(admin_key, REMOTE_ADDR="203.0.113.9").status_code == 200


# Validation -------------------------------------------------------------------------------------


def test_entries_are_normalized_and_every_wrong_one_is_named() -> None:
    assert allowed_addresses.parse("203.0.113.7\n\n 2001:DB8::/32 \n203.0.113.7/32\n10.0.0.0/8") == [
        "203.0.113.7",
        "2001:db8::/32",
        "10.0.0.0/8",
    ]
    with pytest.raises(Exception) as problem:
        allowed_addresses.parse(["office", "10.0.0.1/8", "300.1.1.1"])
    assert problem.value.messages == [
        "“office” is not an IPv4 or IPv6 address or CIDR range (such as 203.0.113.0/24 or 2001:db8::/32).",
        "“10.0.0.1/8” has bits set after its prefix length: did you mean 10.0.0.0/8?",
        "“300.1.1.1” is not an IPv4 or IPv6 address or CIDR range (such as 203.0.113.0/24 or 2001:db8::/32).",
    ]
    with pytest.raises(Exception) as problem:
        allowed_addresses.parse([f"10.0.{index}.0/24" for index in range(51)])
    assert problem.value.messages == ["Enter at most 50 addresses or ranges (there are 51)."]


def test_the_summary_says_how_many() -> None:
    assert allowed_addresses.summary([]) == ""
    assert allowed_addresses.summary(["203.0.113.7"]) == "Restricted to 1 address"
    assert allowed_addresses.summary(["10.0.0.0/8", "2001:db8::/32"]) == "Restricted to 2 ranges"


# The API ----------------------------------------------------------------------------------------


def test_the_api_creates_a_restricted_key_and_shows_the_list(admin_key) -> None:
    created = api("post", "access-keys", admin_key, {"name": "Sync", "allowed_addresses": ["198.51.100.0/24"]})
    assert created.status_code == 201, created.content
    assert created.json()["allowed_addresses"] == ["198.51.100.0/24"]
    new_key = (AccessKey.objects.get(key_id=created.json()["key_id"]), created.json()["secret"])
    assert account(new_key, REMOTE_ADDR="203.0.113.9").json() == FORBIDDEN
    assert api("get", f"access-keys/{new_key[0].key_id}", admin_key).json()["allowed_addresses"] == ["198.51.100.0/24"]


def test_the_api_changes_the_list_with_patch_audited_and_as_a_webhook_event(organization, admin_key) -> None:
    endpoint = WebhookEndpoint.objects.create(
        organization=organization, name="Hooks", url="https://hooks.example.com/in", events=[]
    )
    target, _ = keys.create_access_key(organization, "Target", system_generated=True)
    changed = api("patch", f"access-keys/{target.key_id}", admin_key, {"allowed_addresses": ["2001:db8::/32"]})
    assert changed.status_code == 200 and changed.json()["allowed_addresses"] == ["2001:db8::/32"]
    event = AuditEvent.objects.get(action="access_key.addresses_changed")
    assert event.details["allowed_addresses"] == ["2001:db8::/32"] and event.details["previous"] == []
    delivery = WebhookDelivery.objects.get(endpoint=endpoint, event_type="access_key.addresses_changed")
    assert delivery.payload["data"]["allowed_addresses"] == ["2001:db8::/32"]
    # Left out: kept. Empty: anywhere again.
    assert api("patch", f"access-keys/{target.key_id}", admin_key, {"name": "T2"}).json()["allowed_addresses"] == [
        "2001:db8::/32"
    ]
    assert (
        api("patch", f"access-keys/{target.key_id}", admin_key, {"allowed_addresses": []}).json()["allowed_addresses"]
        == []
    )


def test_the_api_refuses_wrong_entries_naming_each_and_changes_nothing(organization, admin_key) -> None:
    target, _ = keys.create_access_key(organization, "Target", system_generated=True)
    body = {"name": "Renamed", "allowed_addresses": ["x", "10.0.0.1/8"]}
    response = api("patch", f"access-keys/{target.key_id}", admin_key, body)
    assert response.status_code == 400
    messages = response.json()["errors"]["allowed_addresses"]
    assert len(messages) == 2 and "“x”" in messages[0] and "10.0.0.0/8" in messages[1]
    target.refresh_from_db()
    assert target.name == "Target" and target.allowed_addresses == []
    created = api("post", "access-keys", admin_key, {"name": "Sync", "allowed_addresses": ["nope"]})
    assert created.status_code == 400 and not AccessKey.objects.filter(name="Sync").exists()


def test_a_member_key_cannot_change_the_list(organization, member_key) -> None:
    target, _ = keys.create_access_key(organization, "Target", system_generated=True)
    response = api("patch", f"access-keys/{target.key_id}", member_key, {"allowed_addresses": ["10.0.0.0/8"]})
    assert response.status_code == 403


# The screens ------------------------------------------------------------------------------------


def test_create_access_key_with_allowed_addresses(admin_client, organization) -> None:
    url = reverse("access_key_create", args=[organization.slug])
    form = admin_client.get(url).content.decode()
    assert "Allowed addresses" in form and "2001:db8::/32" in form  # the help's example
    typed = "198.51.100.0/24\noffice\n10.0.0.1/8"
    refused = admin_client.post(url, {"name": "CI", "expiry": "30", "allowed_addresses": typed})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "“office” is not an IPv4 or IPv6 address" in page and "did you mean 10.0.0.0/8?" in page
    assert "198.51.100.0/24\noffice\n10.0.0.1/8</textarea>" in page  # nothing typed is lost
    assert 'value="CI"' in page
    addresses = "198.51.100.0/24\n2001:db8::/32"
    created = admin_client.post(url, {"name": "CI", "expiry": "30", "allowed_addresses": addresses})
    assert created.status_code == 200
    access_key = AccessKey.objects.get(name="CI")
    assert access_key.allowed_addresses == ["198.51.100.0/24", "2001:db8::/32"]
    event = AuditEvent.objects.get(action="access_key.created", target_id=str(access_key.pk))
    assert event.details["allowed_addresses"] == ["198.51.100.0/24", "2001:db8::/32"]
    listing = admin_client.get(reverse("api_authentication", args=[organization.slug])).content.decode()
    assert "Restricted to 2 ranges" in listing and "Edit allowed addresses" in listing


def test_edit_allowed_addresses_from_more_options(admin_client, organization, restricted_key) -> None:
    access_key = restricted_key[0]
    url = reverse("access_key_addresses", args=[organization.slug, access_key.pk])
    dialog = admin_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "Allowed addresses of “Restricted”" in dialog and "198.51.100.0/24\n2001:db8:1::/48</textarea>" in dialog
    refused = admin_client.post(url, {"allowed_addresses": "198.51.100.0/24\nbad"}, headers={"HX-Request": "true"})
    assert "“bad” is not an IPv4" in refused.content.decode()
    assert "198.51.100.0/24\nbad</textarea>" in refused.content.decode()
    saved = admin_client.post(url, {"allowed_addresses": "203.0.113.9"}, headers={"HX-Request": "true"})
    assert "Access key “Restricted”: restricted to 1 address." in saved.content.decode()
    assert account(restricted_key, REMOTE_ADDR="203.0.113.9").status_code == 200
    again = admin_client.post(url, {"allowed_addresses": "203.0.113.9"}, headers={"HX-Request": "true"})
    assert "already restricted to 1 address: nothing changed" in again.content.decode()
    # Without JavaScript: its own page, then back to the list.
    assert admin_client.get(url).status_code == 200
    cleared = admin_client.post(url, {"allowed_addresses": ""})
    assert cleared.status_code == 302
    assert AccessKey.objects.get(pk=access_key.pk).allowed_addresses == []
    events = AuditEvent.objects.filter(action="access_key.addresses_changed", target_id=str(access_key.pk))
    assert events.count() == 3  # the fixture's, the edit and the clearing: never the unchanged save


def test_another_organizations_admin_cannot_change_the_list(outsider_client, organization, restricted_key) -> None:
    url = reverse("access_key_addresses", args=[organization.slug, restricted_key[0].pk])
    assert outsider_client.post(url, {"allowed_addresses": ""}).status_code == 404
    assert AccessKey.objects.get(pk=restricted_key[0].pk).allowed_addresses != []


def test_a_member_cannot_change_the_list(member_client, organization, restricted_key) -> None:
    url = reverse("access_key_addresses", args=[organization.slug, restricted_key[0].pk])
    assert member_client.get(url).status_code == 403
    assert member_client.post(url, {"allowed_addresses": ""}).status_code == 403
    assert AccessKey.objects.get(pk=restricted_key[0].pk).allowed_addresses != []


def test_the_admin_shows_the_list_read_only(organization, restricted_key) -> None:
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(superuser)
    page = client.get(reverse("admin:credentials_accesskey_change", args=[restricted_key[0].pk])).content.decode()
    assert "198.51.100.0/24, 2001:db8:1::/48" in page
    assert 'name="allowed_addresses"' not in page
