"""Sending deliveries: one attempt at a time per delivery, retried with backoff, on the task queue.

A delivery row is the truth; a queued task only says "look at this delivery". An attempt first claims
the row with one conditional UPDATE (pending, due, and not held by another worker), so several workers,
or a task queued twice, never send one delivery at the same time, on SQLite and PostgreSQL alike. A
worker killed mid-attempt leaves the claim to expire (``WEBHOOK_CLAIM_SECONDS``); :func:`requeue_pending`,
run when ``db_worker`` starts, queues every pending delivery again. Receivers may therefore see an
event more than once (at-least-once) and deduplicate by its ``webhook-id``.
"""

from __future__ import annotations

import json
import logging
import random
import time
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from credentials import audit
from credentials.emails import admin_emails, email_is_set_up
from credentials.models import WebhookDelivery, WebhookEndpoint
from credentials.outbound import CredentialSession, OutboundError, session_for
from credentials.webhooks import signing

logger = logging.getLogger(__name__)

RESPONSE_BODY_KEPT = 2048


def enqueue(delivery_ids: list[Any], run_after: Any = None) -> None:
    """Queue an attempt at each delivery (at ``run_after``, or now)."""
    queued = deliver.using(run_after=run_after) if run_after is not None else deliver
    for delivery_id in delivery_ids:
        queued.enqueue(str(delivery_id))


@task()
def deliver(delivery_id: str) -> str:
    """The queued task: attempt the delivery if it is still due; returns its status afterwards."""
    return attempt(delivery_id)


def _claim(delivery_id: Any) -> bool:
    now = timezone.now()
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(
            claimed_until=now + timedelta(seconds=settings.WEBHOOK_CLAIM_SECONDS),
            attempts=F("attempts") + 1,
            last_attempt_at=now,
        )
    )


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during a roll."""
    in_use = [endpoint.signing_secret.reveal()["secret"]]
    if endpoint.previous_secret is not None and endpoint.previous_secret_expires_at:
        if endpoint.previous_secret_expires_at > timezone.now():
            in_use.append(endpoint.previous_secret.reveal()["secret"])
    return in_use


def _session(endpoint: WebhookEndpoint, timeout: float) -> requests.Session:
    if endpoint.credential is not None:
        # Adds the credential's authentication; its origin rule then refuses any other host.
        return session_for(endpoint.credential, endpoint.organization, timeout=timeout)
    session = CredentialSession(
        base_url="", timeout=timeout, allow_private_targets=settings.CREDHUB_ALLOW_PRIVATE_TARGETS
    )
    session.headers["User-Agent"] = "credhub-webhooks"
    return session


def _send(endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> tuple[int | None, str, str]:
    """Send one attempt; returns (response status or None, first 2 KiB of the body, error in words)."""
    timeout = settings.WEBHOOK_TIMEOUT
    body = json.dumps(delivery.payload, separators=(",", ":")).encode()
    started = time.monotonic()
    try:
        headers = signing.headers(signing_secrets(endpoint), delivery.event_id, int(time.time()), body)
        with _session(endpoint, timeout) as session:
            # A redirect is an answer like any other non-2xx: following it could lead the delivery elsewhere.
            response = session.post(endpoint.url, data=body, headers=headers, allow_redirects=False, stream=True)
            kept = b""
            for chunk in response.iter_content(1024):
                kept += chunk
                if len(kept) >= RESPONSE_BODY_KEPT or time.monotonic() - started > timeout:
                    break
            response.close()
    except requests.Timeout:
        return None, "", f"No answer within {timeout:g} seconds."
    except requests.ConnectionError:
        return None, "", f"Could not connect to {requests.utils.urlparse(endpoint.url).hostname}."
    except OutboundError as error:
        return None, "", str(error)[:300]
    except requests.RequestException as error:
        return None, "", f"The request failed ({type(error).__name__})."
    text = kept[:RESPONSE_BODY_KEPT].decode("utf-8", errors="replace")
    if time.monotonic() - started > timeout:
        return None, text, f"No complete answer within {timeout:g} seconds."
    if 200 <= response.status_code < 300:
        return response.status_code, text, ""
    return response.status_code, text, f"The endpoint answered HTTP {response.status_code}."


def retry_delay(attempts: int) -> float | None:
    """Seconds before the next attempt after ``attempts`` failed ones (±10 % jitter), or None: give up."""
    delays = settings.WEBHOOK_RETRY_DELAYS
    if attempts > len(delays):
        return None
    return delays[attempts - 1] * random.uniform(0.9, 1.1)


def attempt(delivery_id: Any) -> str:
    """Claim the delivery, send it once and record the outcome; returns its status."""
    if not _claim(delivery_id):
        return "not due"
    delivery = WebhookDelivery.objects.select_related(
        "endpoint__organization", "endpoint__credential__organization"
    ).get(pk=delivery_id)
    endpoint = delivery.endpoint
    started = time.monotonic()
    if endpoint.enabled:
        status, body, error = _send(endpoint, delivery)
    else:
        status, body, error = None, "", "The endpoint is disabled."
    duration_ms = int((time.monotonic() - started) * 1000)
    _record(delivery, status, body, error, duration_ms, retry=endpoint.enabled)
    return delivery.status


def _record(delivery: WebhookDelivery, status: int | None, body: str, error: str, duration_ms: int, *, retry: bool):
    now = timezone.now()
    delivery.response_status, delivery.response_body = status, body
    delivery.last_error, delivery.duration_ms, delivery.claimed_until = error, duration_ms, None
    delay = retry_delay(delivery.attempts) if retry else None
    if not error:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
    elif delay is None:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        delivery.next_attempt_at = now + timedelta(seconds=delay)
    with transaction.atomic():
        delivery.save(
            update_fields=[
                "status",
                "next_attempt_at",
                "claimed_until",
                "last_error",
                "duration_ms",
                "response_status",
                "response_body",
            ]
        )
        endpoint = (
            WebhookEndpoint.objects.select_for_update().select_related("organization").get(pk=delivery.endpoint_id)
        )
        if not error:
            if endpoint.failing_since is not None:
                endpoint.failing_since = None
                endpoint.save(update_fields=["failing_since"])
        elif retry:  # a delivery to an endpoint disabled meanwhile says nothing about the receiver
            _note_failure(endpoint, delivery, now)
        if delivery.status == WebhookDelivery.Status.PENDING:
            transaction.on_commit(lambda: enqueue([delivery.pk], run_after=delivery.next_attempt_at), robust=True)


def _note_failure(endpoint: WebhookEndpoint, delivery: WebhookDelivery, now: Any) -> None:
    """Start the endpoint's run of failures, or disable it when the run has lasted the setting's days."""
    if endpoint.failing_since is None:
        # The run began when the first delivery that failed was created, not at this later attempt.
        endpoint.failing_since = min(delivery.created_at, now)
        endpoint.save(update_fields=["failing_since"])
    limit = timedelta(days=settings.WEBHOOK_DISABLE_AFTER_DAYS)
    if endpoint.enabled and now - endpoint.failing_since >= limit:
        endpoint.enabled = False
        endpoint.disabled_reason = f"Disabled automatically: every delivery failed for {limit.days} days."
        endpoint.save(update_fields=["enabled", "disabled_reason"])
        transaction.on_commit(lambda: _tell_admins(endpoint), robust=True)
        audit.record(
            "webhook.disabled_automatically",
            organization=endpoint.organization,
            actor="system",
            target=endpoint,
            failing_since=endpoint.failing_since.isoformat(),
            last_error=delivery.last_error,
        )


def _tell_admins(endpoint: WebhookEndpoint) -> None:
    """Email the organization's admins that the endpoint was disabled, when email is set up."""
    if not email_is_set_up():
        return
    recipients = admin_emails(endpoint.organization_id)
    if not recipients:
        return
    send_mail(
        f"credhub: webhook endpoint “{endpoint.name}” was disabled",
        f"{endpoint.disabled_reason}\n\nEndpoint: {endpoint.url}\nOrganization: {endpoint.organization.name}\n\n"
        "Fix the receiver, then enable the endpoint under Settings > Integrations > Webhooks.",
        None,
        recipients,
    )


def _queued_delivery_ids() -> set[str]:
    """The deliveries that already have a task waiting in the database queue (none known on Redis)."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - django-tasks-db is a runtime dependency
        return set()
    waiting = DBTaskResult.objects.filter(status="READY", task_path=deliver.module_path)
    return {str(args_kwargs["args"][0]) for args_kwargs in waiting.values_list("args_kwargs", flat=True)}


def requeue_pending(organization: Any = None) -> int:
    """Queue again every pending delivery (of ``organization``, or all) that has no task waiting — one a
    stopped worker was running, or whose task was lost —, at its due time or when its claim expires;
    returns how many. A duplicate task is harmless: only one attempt can claim the delivery."""
    now = timezone.now()
    pending = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
    if organization is not None:
        pending = pending.filter(endpoint__organization=organization)
    queued = _queued_delivery_ids()
    count = 0
    for pk, due, claimed in pending.values_list("pk", "next_attempt_at", "claimed_until"):
        if str(pk) in queued:
            continue
        run_after = max(moment for moment in (due, claimed, now) if moment is not None)
        enqueue([pk], run_after=run_after if run_after > now else None)
        count += 1
    return count
