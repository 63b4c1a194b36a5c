"""The organization's maximum access key lifetime: set in Expiry settings, enforced when keys are created
(screens and API), and applied to keys that already exceed it: listed, then refused on use after the
grace date, never revoked."""

from __future__ import annotations

import html
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from credentials import keys
from credentials.actions import organizations as organization_actions
from credentials.models import AccessKey, AuditEvent, Organization
from tests.clients import api

PAGE = "/o/acme/settings/api-authentication/"
OVER = "This organization's access keys may last at most 90 days: choose a shorter expiry period."
REFUSED = (
    "This access key lasts longer than the organization's maximum lifetime of 90 days and is no longer "
    "accepted. Create a new key that expires within 90 days."
)


def set_maximum(organization: Organization, days: int | None, grace: datetime | None) -> None:
    organization_actions.do_change_expiry_policy(
        organization,
        organization.access_key_expiry_periods,
        organization.access_key_allow_no_expiry,
        30,
        actor="test",
        max_lifetime=days,
        max_lifetime_grace_until=grace,
    )


def account(key: tuple):
    return Client().get("/api/v1/account", headers={"X-Client-ID": key[0].key_id, "X-Client-Secret": key[1]})


@pytest.fixture
def long_key(organization, admin_user) -> tuple:
    """An admin's key made before any maximum, for a year."""
    return keys.create_access_key(
        organization, "Yearly", owner=admin_user, expires_at=timezone.now() + timedelta(days=365)
    )


def test_expiry_settings_set_the_maximum_and_the_grace_date(admin_client, organization) -> None:
    page = admin_client.get(PAGE).content.decode()
    assert "Maximum lifetime (days)" in page and "Keys over it stop working on" in page
    response = admin_client.post(
        f"{PAGE}expiry/",
        {
            "periods": ["7", "30", "90", "365"],
            "default": "30",
            "max_lifetime": "90",
            "max_lifetime_grace_until": "2027-03-01",
        },
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.access_key_max_lifetime == 90
    assert organization.access_key_max_lifetime_grace_until == datetime(2027, 3, 1, tzinfo=UTC)
    event = AuditEvent.objects.get(action="access_key_policy.changed")
    assert event.details["after"]["max_lifetime"] == 90 and event.details["before"]["max_lifetime"] is None
    assert event.details["after"]["max_lifetime_grace_until"] == "2027-03-01T00:00:00+00:00"
    page = admin_client.get(PAGE).content.decode()
    assert 'value="90"' in page and 'value="2027-03-01"' in page
    # Emptied: no maximum.
    admin_client.post(f"{PAGE}expiry/", {"periods": ["7", "30"], "default": "30", "max_lifetime": ""})
    organization.refresh_from_db()
    assert organization.access_key_max_lifetime is None and organization.access_key_max_lifetime_grace_until is None


def test_the_policy_must_leave_a_period_within_the_maximum(admin_client, organization) -> None:
    response = admin_client.post(f"{PAGE}expiry/", {"periods": ["90", "365"], "default": "365", "max_lifetime": "30"})
    assert response.status_code == 422
    content = response.content.decode()
    content = html.unescape(content)
    assert "Offer at least one expiry period within the maximum lifetime of 30 days." in content
    assert "The default expiry period is longer than the maximum lifetime of 30 days." in content
    response = admin_client.post(
        f"{PAGE}expiry/", {"periods": ["30"], "allow_no_expiry": "on", "default": "never", "max_lifetime": "30"}
    )
    assert "“No expiry” cannot be the default while keys have a maximum lifetime." in html.unescape(
        response.content.decode()
    )
    response = admin_client.post(f"{PAGE}expiry/", {"periods": ["30"], "default": "30", "max_lifetime": "0"})
    assert response.status_code == 422
    organization.refresh_from_db()
    assert organization.access_key_max_lifetime is None and not AuditEvent.objects.exists()


def test_create_access_key_offers_and_accepts_only_periods_within_the_maximum(admin_client, organization) -> None:
    organization.access_key_allow_no_expiry = True
    organization.save()
    set_maximum(organization, 90, None)
    form = admin_client.get(f"{PAGE}access-keys/new/").content.decode()
    assert ">90 days</option>" in form and ">180 days</option>" not in form and "No expiry</option>" not in form
    assert "Keys may last at most 90 days." in form
    refused = admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "365"})
    assert refused.status_code == 422 and OVER in html.unescape(refused.content.decode())
    refused = admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "never"})
    assert "may last at most 90 days: choose an expiry period." in html.unescape(refused.content.decode())
    assert not AccessKey.objects.exists()
    assert admin_client.post(f"{PAGE}access-keys/new/", {"name": "CI", "expiry": "90"}).status_code == 200
    assert AccessKey.objects.count() == 1


def test_the_api_refuses_a_key_longer_than_the_maximum(organization, admin_key) -> None:
    set_maximum(organization, 90, timezone.now() + timedelta(days=30))
    refused = api("post", "access-keys", admin_key, {"name": "Sync", "expires_in_days": 365})
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"expires_in_days": [OVER]}
    assert api("post", "access-keys", admin_key, {"name": "Sync", "expires_in_days": 90}).status_code == 201


def test_a_key_over_the_maximum_is_listed_and_works_until_the_grace_date(admin_client, organization, long_key) -> None:
    set_maximum(organization, 90, datetime(2099, 3, 1, tzinfo=UTC))
    page = html.unescape(admin_client.get(PAGE).content.decode())
    assert "Over the organization's maximum lifetime: stops working on 1 March 2099" in page
    assert account(long_key).status_code == 200


def test_after_the_grace_date_the_key_is_refused_and_not_revoked(admin_client, organization, long_key) -> None:
    set_maximum(organization, 90, timezone.now() - timedelta(minutes=1))
    refused = account(long_key)
    assert refused.status_code == 403
    assert refused.json() == {"error": "Forbidden", "detail": REFUSED}
    assert "Over the organization's maximum lifetime: refused" in html.unescape(admin_client.get(PAGE).content.decode())
    assert AccessKey.objects.get(pk=long_key[0].pk).revoked_at is None
    # Raising the maximum lets it work again.
    set_maximum(organization, 365, None)
    assert account(long_key).status_code == 200


def test_a_key_that_never_expires_is_over_any_maximum(organization, admin_user) -> None:
    forever = keys.create_access_key(organization, "Forever", owner=admin_user)
    within = keys.create_access_key(
        organization, "Monthly", owner=admin_user, expires_at=timezone.now() + timedelta(days=30)
    )
    set_maximum(organization, 90, None)
    assert account(forever).status_code == 403
    assert account(within).status_code == 200
