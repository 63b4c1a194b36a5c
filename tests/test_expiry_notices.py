"""Access key expiry notices: an email at 7 days and at 1 day before expiry, the webhook events
``access_key.expiring`` and ``access_key.expired``, each once per key and threshold however often the
daily run runs, on the worker or from cron. Email goes to Django's locmem backend."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from credentials import expiry_notices, keys
from credentials.actions import access_keys as access_key_actions
from credentials.models import AccessKey, AuditEvent, Connection, ExpiryNotice, WebhookDelivery, WebhookEndpoint
from tests.factories import make_connection, make_system_key


@pytest.fixture
def endpoint(organization) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(organization=organization, name="Hooks", url="https://hooks.example.com/in")


def key_expiring(organization, owner, left: timedelta, name: str = "Deploys") -> tuple[AccessKey, str]:
    return keys.create_access_key(organization, name, owner=owner, expires_at=timezone.now() + left)


def run(now: datetime | None = None) -> list[tuple[AccessKey, int]]:
    return expiry_notices.send_expiry_notices(now)


def events(event_type: str) -> list[dict]:
    return [delivery.payload["data"] for delivery in WebhookDelivery.objects.filter(event_type=event_type)]


def test_the_7_day_notice_is_emailed_to_the_owner_once(organization, admin_user, endpoint) -> None:
    access_key, secret = key_expiring(organization, admin_user, timedelta(days=6, hours=20))
    assert [(key.key_id, threshold) for key, threshold in run()] == [(access_key.key_id, 7)]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["acme-admin@example.com"]
    assert email.subject == "credhub: access key “Deploys” expires in 7 days"
    assert access_key.key_id in email.body and "Acme" in email.body
    assert access_key.expires_at.strftime("%d %B %Y at %H:%M UTC") in email.body
    assert "/o/acme/settings/api-authentication/" in email.body
    assert secret not in email.body and secret not in email.subject
    assert events("access_key.expiring")[0]["days_left"] == 7
    assert events("access_key.expiring")[0]["access_key"]["key_id"] == access_key.key_id
    event = AuditEvent.objects.get(action="access_key.expiring")
    assert event.details["days_left"] == 7 and event.details["emailed"] == 1
    # Reruns, and a restarted worker's run, send nothing again.
    assert run() == [] and run() == []
    expiry_notices.daily_expiry_notices.call()
    assert len(mail.outbox) == 1 and len(events("access_key.expiring")) == 1


def test_the_1_day_notice_follows_and_then_the_expiry_is_announced_once(organization, admin_user, endpoint) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=6, hours=20))
    connection = make_connection(organization, "Warehouse", access_key=access_key)
    run()
    later = timezone.now() + timedelta(days=6)
    assert [threshold for _, threshold in run(later)] == [1]
    assert mail.outbox[-1].subject == "credhub: access key “Deploys” expires in 1 day"
    assert run(later + timedelta(hours=1)) == []
    after = access_key.expires_at + timedelta(minutes=5)
    assert [threshold for _, threshold in run(after)] == [0]
    assert run(after + timedelta(days=1)) == []
    assert sorted(data["days_left"] for data in events("access_key.expiring")) == [1, 7]
    expired = events("access_key.expired")
    assert len(expired) == 1 and expired[0]["revoked_connections"] == ["Warehouse"]
    assert Connection.objects.get(pk=connection.pk).status == Connection.Status.REVOKED
    assert len(mail.outbox) == 2  # the expiry itself is an event, not a third email


def test_a_key_first_seen_a_day_before_expiry_gets_one_email(organization, admin_user) -> None:
    key_expiring(organization, admin_user, timedelta(hours=12))
    assert [threshold for _, threshold in run()] == [1]
    assert len(mail.outbox) == 1 and "expires in 1 day" in mail.outbox[0].subject
    assert run() == []


def test_a_system_generated_key_warns_the_organizations_admins(
    organization, admin_user, member_user, django_user_model
) -> None:
    from credentials.models import Membership

    second = django_user_model.objects.create_user("acme-admin-2", "second@example.com", "pw")
    Membership.objects.create(user=second, organization=organization, role=Membership.Role.ADMIN)
    make_system_key(organization, "Warehouse sync", expires_in_days=3)
    run()
    assert sorted(mail.outbox[0].to) == ["acme-admin@example.com", "second@example.com"]


def test_a_rolled_key_is_not_warned_twice(organization, admin_user) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=5))
    run()
    access_key_actions.do_roll_access_key(organization, access_key, timedelta(hours=1), actor=admin_user)
    assert run() == []
    assert len(mail.outbox) == 1


def test_a_key_extended_after_its_warning_is_warned_again_before_its_new_expiry(organization, admin_user) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=5))
    run()
    access_key.expires_at = timezone.now() + timedelta(days=30)
    access_key_actions.do_edit_access_key(organization, access_key, ["expires_at"], actor=admin_user)
    assert run() == []  # 30 days left: nothing yet
    assert [threshold for _, threshold in run(timezone.now() + timedelta(days=24))] == [7]
    assert len(mail.outbox) == 2


def test_deleted_inactive_revoked_and_unexpiring_keys_are_not_warned(organization, admin_user) -> None:
    deleted, _ = key_expiring(organization, admin_user, timedelta(days=2), "Deleted")
    inactive, _ = key_expiring(organization, admin_user, timedelta(days=2), "Inactive")
    revoked, _ = key_expiring(organization, admin_user, timedelta(days=2), "Revoked")
    keys.create_access_key(organization, "Forever", owner=admin_user)
    key_expiring(organization, admin_user, timedelta(days=20), "Later")
    access_key_actions.do_delete_access_key(organization, deleted, actor=admin_user)
    access_key_actions.do_deactivate_access_key(organization, inactive, actor=admin_user)
    access_key_actions.do_revoke_access_key(organization, revoked, actor=admin_user)
    assert run() == [] and mail.outbox == []


def test_a_key_expired_by_expire_keys_is_not_announced_again(organization, admin_user, endpoint) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=20))
    call_command("expire_keys", "--key-id", access_key.key_id, stdout=io.StringIO())
    assert run(timezone.now() + timedelta(minutes=1)) == []
    assert len(events("access_key.expired")) == 1


def test_a_failed_email_records_nothing_and_is_sent_on_the_next_run(organization, admin_user) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=3))
    with mock.patch("credentials.actions.expiry_notices.send_mail", side_effect=OSError("SMTP down")):
        assert run() == []
    assert not ExpiryNotice.objects.exists() and not AuditEvent.objects.filter(action="access_key.expiring").exists()
    assert [threshold for _, threshold in run()] == [7]
    assert len(mail.outbox) == 1


@override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="")
def test_without_email_set_up_the_event_is_still_sent(organization, admin_user, endpoint) -> None:
    key_expiring(organization, admin_user, timedelta(days=3))
    assert [threshold for _, threshold in run()] == [7]
    assert mail.outbox == [] and len(events("access_key.expiring")) == 1


def test_the_command_sends_what_is_due_and_says_so(organization, admin_user) -> None:
    access_key, _ = key_expiring(organization, admin_user, timedelta(days=3))
    out = io.StringIO()
    call_command("send_expiry_notices", "--json", stdout=out)
    assert json.loads(out.getvalue()) == [
        {"key_id": access_key.key_id, "name": "Deploys", "organization": "acme", "notice": "7 days"}
    ]
    out = io.StringIO()
    call_command("send_expiry_notices", stdout=out)
    assert out.getvalue().strip() == "Sent 0 expiry notices."


def test_the_daily_run_is_queued_once_for_the_next_time_of_day(db) -> None:
    from django_tasks_db.models import DBTaskResult

    assert expiry_notices.schedule() is True
    assert expiry_notices.schedule() is False  # a worker restart does not queue a second run
    waiting = DBTaskResult.objects.get(task_path=expiry_notices.daily_expiry_notices.module_path)
    assert waiting.run_after == expiry_notices.next_run(timezone.now())
    at_five = datetime(2026, 3, 1, 5, 0, tzinfo=UTC)
    assert expiry_notices.next_run(at_five) == datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    assert expiry_notices.next_run(at_five + timedelta(hours=1)) == datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
