"""Warning of an access key's expiry: at 7 days and at 1 day before it, an email to the key's owner
(system-generated keys: the organization's admins) and the webhook event ``access_key.expiring``; once it
has expired, ``access_key.expired``. Each once per key and threshold: an ``ExpiryNotice`` row, written in
the same transaction as the audit and webhook events, says it was sent.

The daily run that calls this action for every key due a notice is :mod:`credentials.expiry_notices`.
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from credentials import audit
from credentials.actions import check_organization
from credentials.actions.connections import revoke_connections_for_access_key
from credentials.emails import admin_emails, email_is_set_up
from credentials.models import AccessKey, ExpiryNotice, Organization
from credentials.webhooks.events import access_key_data, emit

logger = logging.getLogger(__name__)

# Days before expiry at which the owner is warned; 0 stands for "has expired".
THRESHOLDS = (7, 1)
EXPIRED = 0
DAY = timedelta(days=1)


def due(access_key: AccessKey, sent: set[int], now: datetime) -> int | None:
    """The notice the key is due now (7, 1, or EXPIRED), or None. A key first seen with 12 hours left
    gets the 1-day notice only: never two emails at once."""
    if access_key.expires_at is None:
        return None
    left = access_key.expires_at - now
    if left <= timedelta(0):
        return None if EXPIRED in sent else EXPIRED
    within = [days for days in THRESHOLDS if left <= timedelta(days=days)]
    if not within or min(within) in sent:
        return None
    return min(within)


def _stale(notice: ExpiryNotice, expires_at: datetime | None, now: datetime) -> bool:
    # A notice at N days was sent no earlier than N days before the expiry it warned of: an expiry later
    # than that has been extended since (a key edited in the admin), and the new one deserves its own.
    if expires_at is None:
        return True
    if notice.days_left == EXPIRED:
        return expires_at > now
    return expires_at > notice.sent_at + timedelta(days=notice.days_left)


def recipients(access_key: AccessKey) -> list[str]:
    """Who is emailed: the owner, or for a system-generated key the organization's admins."""
    if access_key.owner_id is not None:
        return [access_key.owner.email] if access_key.owner.email else []
    return admin_emails(access_key.organization_id)


def _email(access_key: AccessKey, days_left: int, to: list[str]) -> None:
    organization = access_key.organization
    link = settings.CREDHUB_BASE_URL + reverse("api_authentication", args=[organization.slug])
    when = access_key.expires_at.strftime("%d %B %Y at %H:%M UTC")
    in_words = "1 day" if days_left == 1 else f"{days_left} days"
    # Names and IDs only: the secret is never stored, and so can never be in an email.
    send_mail(
        f"credhub: access key “{access_key.name}” expires in {in_words}",
        f"The access key “{access_key.name}” ({access_key.key_id}) of {organization.name} expires on {when}.\n"
        "After that, programs that call credhub's API with it are refused.\n\n"
        f"Roll the key, or create a new one, on the API authentication page:\n{link}\n",
        None,
        to,
    )


def do_send_expiry_notice(
    organization: Organization,
    access_key: AccessKey,
    *,
    actor: Any,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> int | None:
    """Send the notice ``access_key`` is due now, if any, and return its threshold (7, 1, or 0 for
    expired). Audits and emits ``access_key.expiring`` (with ``days_left``, the whole days left, rounded
    up) and emails the recipients; or, once expired, audits and emits ``access_key.expired`` and revokes
    the connections established with the key, as ``expire_keys`` does. Revoked and inactive keys are not
    warned. The email is sent inside the transaction: if it fails, nothing is recorded and the next run
    tries again."""
    check_organization(organization, access_key)
    now = now or timezone.now()
    with transaction.atomic():
        locked = AccessKey.objects.select_for_update().get(pk=access_key.pk)
        if locked.revoked_at is not None or locked.deactivated_at is not None:
            return None
        notices = list(ExpiryNotice.objects.filter(access_key=locked))
        if stale := [notice.pk for notice in notices if _stale(notice, locked.expires_at, now)]:
            ExpiryNotice.objects.filter(pk__in=stale).delete()
        sent = {notice.days_left for notice in notices if notice.pk not in stale}
        threshold = due(locked, sent, now)
        if threshold is None:
            return None
        # The larger thresholds are passed too: a key extended later is warned afresh (see _stale).
        passed = [EXPIRED] if threshold == EXPIRED else [days for days in THRESHOLDS if days >= threshold]
        new = [days for days in passed if days not in sent]
        ExpiryNotice.objects.bulk_create(ExpiryNotice(access_key=locked, days_left=days) for days in new)
        # Dated by the run's own clock (auto_now_add would take the wall clock's): what _stale compares.
        ExpiryNotice.objects.filter(access_key=locked, days_left__in=new).update(sent_at=now)
        details: dict[str, Any] = {"key_id": locked.key_id, "expires_at": locked.expires_at.isoformat()}
        data: dict[str, Any] = {"access_key": access_key_data(locked)}
        to: list[str] = []
        if threshold == EXPIRED:
            revoked = revoke_connections_for_access_key(locked, "expired")
            event, details["revoked_connections"], data["revoked_connections"] = "access_key.expired", revoked, revoked
        else:
            to = recipients(locked) if email_is_set_up() else []
            days_left = max(1, math.ceil((locked.expires_at - now) / DAY))
            event, details["days_left"], data["days_left"] = "access_key.expiring", days_left, days_left
            details["emailed"] = len(to)
        audit.record(event, organization=organization, actor=actor, target=locked, request=request, **details)
        emit(organization, event, data, actor=actor)
        if threshold != EXPIRED and to:
            _email(locked, days_left, to)
    return threshold
