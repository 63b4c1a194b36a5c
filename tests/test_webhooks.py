"""Webhook deliveries against real loopback receivers, each verified by the ``standardwebhooks`` library.

Deliveries run through the real database queue: actions queue them on commit, and :func:`drain` runs
what is due with db_worker's own claim-and-run code.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from standardwebhooks.webhooks import Webhook, WebhookVerificationError
from werkzeug import Request, Response

from credentials import catalog
from credentials.actions import access_keys, api_keys, connections, organizations
from credentials.actions import webhooks as actions
from credentials.models import AuditEvent, WebhookDelivery, WebhookEndpoint
from tests.factories import make_connection, make_credential


@pytest.fixture
def fast_retries(settings):
    settings.WEBHOOK_RETRY_DELAYS = [0.2, 0.2]
    settings.WEBHOOK_TIMEOUT = 1.0


class Receiver:
    """A loopback receiver that answers with the next of ``answers`` (the last one repeats)."""

    def __init__(self, httpserver, answers=(200,)):
        self.requests: list[Request] = []
        self.bodies: list[bytes] = []
        self.answers = list(answers)
        httpserver.expect_request("/hook", method="POST").respond_with_handler(self.handle)
        self.url = httpserver.url_for("/hook")

    def handle(self, request: Request) -> Response:
        self.requests.append(request)
        self.bodies.append(request.get_data())
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, float):  # seconds to stall before answering 200
            time.sleep(answer)
            answer = 200
        return Response("received" if answer < 300 else "try later", status=answer)

    def verified(self, secret: str, index: int = -1) -> dict:
        request = self.requests[index]
        return Webhook(secret).verify(self.bodies[index], dict(request.headers))


def drain() -> None:
    """Run every task that is due, as ``db_worker`` does (claim, run, record), in this test's transaction.

    The command itself closes "old" database connections between tasks, which would end the test's
    transaction on PostgreSQL; the real command runs in its own process in test_webhook_worker.py.
    """
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )
    while (task := DBTaskResult.objects.ready().filter(backend_name="default").get_locked()) is not None:
        task.claim(worker.worker_id)
        # A retry is queued when its attempt's transaction commits: inside the test's, run that hook too.
        with TestCase.captureOnCommitCallbacks(execute=True):
            worker.run_task(task)


@pytest.fixture
def endpoint_and_secret(organization, admin_user, httpserver):
    receiver = Receiver(httpserver)
    endpoint, secret = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    return endpoint, secret, receiver


def generate_key(organization, actor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return api_keys.do_generate_api_key(organization, "CI", actor=actor)


def test_an_action_delivers_a_signed_event_the_standard_library_verifies(
    organization, admin_user, endpoint_and_secret, django_capture_on_commit_callbacks
):
    endpoint, secret, receiver = endpoint_and_secret
    api_key, key = generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    assert receiver.requests == []  # queued, not sent in the request
    drain()

    event = receiver.verified(secret)
    assert event["type"] == "api_key.created"
    assert event["data"]["api_key"] == {"id": str(api_key.pk), "name": "CI"}
    assert event["data"]["organization"]["slug"] == "acme"
    assert event["data"]["actor"] == "acme-admin"
    assert receiver.requests[0].headers["Content-Type"] == "application/json"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert receiver.requests[0].headers["webhook-id"] == delivery.event_id
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("succeeded", 1, 200)
    assert delivery.response_body == "received"
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "A" * 32).verify(receiver.bodies[0], dict(receiver.requests[0].headers))


def test_retried_after_a_500_and_delivered_on_the_second_attempt(
    organization, admin_user, httpserver, fast_retries, django_capture_on_commit_callbacks
):
    receiver = Receiver(httpserver, answers=[500, 204])
    endpoint, secret = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts) == ("pending", 1)
    assert delivery.last_error == "The endpoint answered HTTP 500."
    assert delivery.next_attempt_at > timezone.now() - timedelta(seconds=1)
    time.sleep(0.3)
    drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("succeeded", 2, "")
    assert receiver.verified(secret, 0)["type"] == receiver.verified(secret, 1)["type"] == "api_key.created"
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]


def test_retried_after_a_timeout(
    organization, admin_user, httpserver, fast_retries, django_capture_on_commit_callbacks
):
    receiver = Receiver(httpserver, answers=[1.5, 200])
    endpoint, secret = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.status == "pending"
    assert delivery.last_error == "No answer within 1 seconds."
    time.sleep(1.5)  # the stalled receiver finishes its first answer, then the retry is due
    drain()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    receiver.verified(secret)


def test_gives_up_after_the_last_retry(
    organization, admin_user, httpserver, fast_retries, django_capture_on_commit_callbacks
):
    receiver = Receiver(httpserver, answers=[503])
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    for _ in range(4):
        drain()
        time.sleep(0.3)
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == ("failed", 3, None)
    assert len(receiver.requests) == 3
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is not None


def test_an_endpoint_failing_for_five_days_is_disabled_with_an_audit_event(
    organization, admin_user, httpserver, django_capture_on_commit_callbacks
):
    receiver = Receiver(httpserver, answers=[500])
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=5, minutes=1))
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    endpoint.refresh_from_db()
    assert not endpoint.enabled
    assert "every delivery failed for 5 days" in endpoint.disabled_reason
    event = AuditEvent.objects.get(action="webhook.disabled_automatically")
    assert event.target_id == str(endpoint.pk)
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.filter(endpoint=endpoint).count() == 1  # a disabled endpoint gets nothing


def test_the_admins_are_emailed_when_email_is_set_up(
    organization, admin_user, member_user, httpserver, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.EMAIL_HOST = "smtp.example.com"
    receiver = Receiver(httpserver, answers=[500])
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], actor=admin_user
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=6))
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    (mail,) = mailoutbox
    assert mail.to == ["acme-admin@example.com"]
    assert "“Ops” was disabled" in mail.subject and receiver.url in mail.body


def test_a_success_ends_the_run_of_failures(
    organization, admin_user, endpoint_and_secret, django_capture_on_commit_callbacks
):
    endpoint, _, _ = endpoint_and_secret
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(days=4))
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None


def test_resend_sends_the_same_event_again(
    organization, admin_user, endpoint_and_secret, django_capture_on_commit_callbacks
):
    endpoint, secret, receiver = endpoint_and_secret
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    drain()
    first = WebhookDelivery.objects.get(endpoint=endpoint)
    with django_capture_on_commit_callbacks(execute=True):
        again = actions.do_resend_delivery(organization, first, actor=admin_user)
    drain()
    again.refresh_from_db()
    assert again.status == "succeeded" and again.pk != first.pk
    assert receiver.verified(secret, 0) == receiver.verified(secret, 1)
    assert receiver.requests[1].headers["webhook-id"] == first.event_id
    assert AuditEvent.objects.filter(action="webhook.delivery_resent", target_id=str(endpoint.pk)).exists()


def test_send_test_event_delivers_at_once(organization, admin_user, endpoint_and_secret):
    endpoint, secret, receiver = endpoint_and_secret
    delivery = actions.do_send_test_event(organization, endpoint, actor=admin_user)
    assert delivery.status == "succeeded" and delivery.response_status == 200
    event = receiver.verified(secret)
    assert event["type"] == "webhook.test"
    assert event["data"]["endpoint"]["id"] == str(endpoint.pk)


def test_a_rolled_secret_and_the_previous_one_both_verify_for_24_hours(organization, admin_user, endpoint_and_secret):
    endpoint, old_secret, receiver = endpoint_and_secret
    new_secret = actions.do_roll_signing_secret(organization, endpoint, actor=admin_user)
    assert new_secret != old_secret and new_secret.startswith("whsec_")
    actions.do_send_test_event(organization, endpoint, actor=admin_user)
    assert receiver.verified(new_secret)["type"] == receiver.verified(old_secret)["type"] == "webhook.test"
    assert len(receiver.requests[0].headers["webhook-signature"].split(" ")) == 2
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(previous_secret_expires_at=timezone.now())
    endpoint.refresh_from_db()
    actions.do_send_test_event(organization, endpoint, actor=admin_user)
    receiver.verified(new_secret)
    with pytest.raises(WebhookVerificationError):
        receiver.verified(old_secret)


def test_only_subscribed_events_are_delivered(organization, admin_user, httpserver, django_capture_on_commit_callbacks):
    receiver = Receiver(httpserver)
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Keys", url=receiver.url, event_types=["api_key.deleted"], actor=admin_user
    )
    api_key, _ = generate_key(organization, admin_user, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        api_keys.do_delete_api_key(organization, api_key, actor=admin_user)
    drain()
    assert [json.loads(body)["type"] for body in receiver.bodies] == ["api_key.deleted"]


def test_the_credential_authenticates_deliveries(organization, admin_user, httpserver):
    receiver = Receiver(httpserver)
    credential = make_credential(
        organization,
        "Receiver token",
        base_url=httpserver.url_for("/"),
        auth_type=catalog.BEARER,
        secrets={"value": "receiver-bearer-token"},
    )
    endpoint, secret = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], credential=credential, actor=admin_user
    )
    delivery = actions.do_send_test_event(organization, endpoint, actor=admin_user)
    assert delivery.status == "succeeded"
    assert receiver.requests[0].headers["Authorization"] == "Bearer receiver-bearer-token"
    receiver.verified(secret)


def test_the_credential_origin_rule_refuses_another_host(organization, admin_user, httpserver):
    receiver = Receiver(httpserver)
    credential = make_credential(
        organization, "Elsewhere", base_url="https://api.example.com", auth_type=catalog.BEARER, secrets={"value": "t"}
    )
    endpoint, _ = actions.do_create_endpoint(
        organization, name="Ops", url=receiver.url, event_types=[], credential=credential, actor=admin_user
    )
    delivery = actions.do_send_test_event(organization, endpoint, actor=admin_user)
    assert delivery.status == "pending" and receiver.requests == []
    assert "only to the host of its Base URL" in delivery.last_error


def test_private_targets_are_refused_at_delivery_time(organization, admin_user, endpoint_and_secret, settings):
    settings.CREDHUB_ALLOW_PRIVATE_TARGETS = False
    endpoint, _, receiver = endpoint_and_secret
    delivery = actions.do_send_test_event(organization, endpoint, actor=admin_user)
    assert receiver.requests == []
    assert "loopback" in delivery.last_error


def test_a_claimed_delivery_is_not_attempted_twice_at_once(organization, admin_user, endpoint_and_secret):
    from credentials.webhooks import delivery as deliveries

    endpoint, _, receiver = endpoint_and_secret
    delivery = actions.do_send_test_event(organization, endpoint, actor=admin_user)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="pending", next_attempt_at=timezone.now(), claimed_until=timezone.now() + timedelta(seconds=30)
    )
    assert deliveries.attempt(delivery.pk) == "not due"
    assert len(receiver.requests) == 1


def test_every_action_emits_its_event_without_secrets(
    organization, admin_user, endpoint_and_secret, django_capture_on_commit_callbacks
):
    endpoint, signing_secret, receiver = endpoint_and_secret
    credential = make_credential(organization, "Warehouse login")
    with django_capture_on_commit_callbacks(execute=True):
        access_key, access_secret = access_keys.do_create_access_key(organization, "Deploy", None, actor=admin_user)
        api_key, api_secret = api_keys.do_generate_api_key(organization, "CI", actor=admin_user)
        connection = connections.do_create_connection(
            organization, "source", credential.connector, "Orders", credential, actor=admin_user
        )
        make_connection(organization, "Sync", access_key=access_key)
        access_keys.do_expire_access_key(organization, access_key, actor=admin_user)
        access_keys.do_delete_access_key(organization, access_key, actor=admin_user)
        api_keys.do_delete_api_key(organization, api_key, actor=admin_user)
        organizations.do_change_expiry_policy(organization, [30, 90], True, 30, actor=admin_user)
    drain()
    types = [json.loads(body)["type"] for body in receiver.bodies]
    assert sorted(types) == sorted(
        [
            "access_key.created",
            "api_key.created",
            "connection.created",
            "connection.revoked",
            "access_key.expired",
            "access_key.deleted",
            "api_key.deleted",
            "organization.policy_changed",
        ]
    )
    assert all(t in catalog_types() for t in types)
    revoked = next(json.loads(b) for b in receiver.bodies if json.loads(b)["type"] == "connection.revoked")
    assert revoked["data"]["connection"]["name"] == "Sync"
    created = next(json.loads(b) for b in receiver.bodies if json.loads(b)["type"] == "connection.created")
    assert created["data"]["connection"]["id"] == str(connection.pk)
    everything = b"".join(receiver.bodies).decode()
    hashes = [access_key.secret_hash, api_key.secret_hash]
    for secret in [signing_secret, access_secret, api_secret, "s3cret-basic-password", *hashes]:
        assert secret not in everything
    for index in range(len(receiver.bodies)):
        receiver.verified(signing_secret, index)


def catalog_types() -> set[str]:
    from credentials.webhooks.events import CATALOG

    return set(CATALOG)


def test_requeue_pending_queues_only_deliveries_without_a_waiting_task(
    organization, admin_user, endpoint_and_secret, django_capture_on_commit_callbacks
):
    from credentials.webhooks.delivery import requeue_pending

    endpoint, _, receiver = endpoint_and_secret
    generate_key(organization, admin_user, django_capture_on_commit_callbacks)  # queued on commit
    assert DBTaskResult.objects.count() == 1
    assert requeue_pending() == 0
    DBTaskResult.objects.all().delete()  # the task is lost (a worker killed while running it)
    assert requeue_pending() == 1
    drain()
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == "succeeded" and len(receiver.requests) == 1


def test_credential_changes_emit_their_events_without_secrets(
    organization, admin_user, admin_client, endpoint_and_secret, django_capture_on_commit_callbacks, httpserver
):
    endpoint, signing_secret, receiver = endpoint_and_secret
    slug = organization.slug
    password = "s3cret-credential-password"
    form = {
        "name": "Billing",
        "base_url": httpserver.url_for("/billing"),  # answers 500: nothing expects that path
        "content_type": "application/json",
        "auth_type": catalog.BASIC,
        "auth_username": "billing-user",
        "auth_password": password,
    }
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("credential_create", args=[slug]), form)
        credential = organization.credentials.get(name="Billing")
        admin_client.post(reverse("credential_rename", args=[slug, credential.pk]), {"name": "Billing API"})
        admin_client.post(reverse("credential_test", args=[slug, credential.pk]))
        admin_client.post(reverse("credential_delete", args=[slug, credential.pk]))
    drain()
    events = [json.loads(body) for body in receiver.bodies]
    assert [event["type"] for event in events] == [
        "credential.created",
        "credential.updated",
        "credential.test_failed",
        "credential.deleted",
    ]
    assert events[0]["data"]["credential"] == {"id": str(credential.pk), "name": "Billing", "auth_type": "basic"}
    assert events[1]["data"]["changed"] == ["name"]
    assert events[2]["data"]["outcome"] == events[2]["data"]["failures"][0]["outcome"] != "success"
    assert events[3]["data"]["credential"]["name"] == "Billing API"
    everything = b"".join(receiver.bodies).decode()
    assert password not in everything and "billing-user" not in everything
    for index in range(len(events)):
        receiver.verified(signing_secret, index)
