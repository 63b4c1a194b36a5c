"""The daily run of access key expiry notices, on the task worker or from cron.

:func:`send_expiry_notices` calls ``do_send_expiry_notice`` for every key that may be due one; running
it twice, or from two places at once, sends nothing twice (each key's notices are decided under its row
lock, and recorded in ``ExpiryNotice``). The task :func:`daily_expiry_notices` runs it and queues itself
for the next day at ``CREDHUB_EXPIRY_NOTICES_AT`` (UTC); ``db_worker`` queues it when it starts if none is
waiting, so a worker restart neither loses nor doubles the schedule.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks import task

from credentials.actions.expiry_notices import THRESHOLDS, do_send_expiry_notice
from credentials.models import AccessKey

logger = logging.getLogger(__name__)

ACTOR = "credhub (expiry notices)"
# A key that expired while the worker was stopped is still announced, up to this long after.
EXPIRED_WITHIN = timedelta(days=7)


def send_expiry_notices(now: datetime | None = None) -> list[tuple[AccessKey, int]]:
    """Send every notice due now; returns each key notified with its threshold (0: expired). A key whose
    notice fails (its email could not be sent) is logged and tried again on the next run."""
    now = now or timezone.now()
    candidates = (
        AccessKey.objects.select_related("organization")
        .filter(revoked_at__isnull=True, deactivated_at__isnull=True)
        .filter(expires_at__gt=now - EXPIRED_WITHIN, expires_at__lte=now + timedelta(days=max(THRESHOLDS)))
        .order_by("expires_at")
    )
    sent = []
    for access_key in candidates:
        try:
            threshold = do_send_expiry_notice(access_key.organization, access_key, actor=ACTOR, now=now)
        except Exception:  # one key's failed email must not stop the others' notices
            logger.exception(
                "The expiry notice of access key %s was not sent; the next run retries.", access_key.key_id
            )
            continue
        if threshold is not None:
            sent.append((access_key, threshold))
    return sent


def next_run(now: datetime) -> datetime:
    """The next daily run after ``now``, at ``CREDHUB_EXPIRY_NOTICES_AT`` UTC."""
    try:
        hour, minute = (int(part) for part in settings.CREDHUB_EXPIRY_NOTICES_AT.split(":"))
        at = time(hour, minute, tzinfo=UTC)
    except ValueError as error:
        raise ImproperlyConfigured("CREDHUB_EXPIRY_NOTICES_AT must be a UTC time such as 06:00.") from error
    today = datetime.combine(now.astimezone(at.tzinfo).date(), at)
    return today if today > now else today + timedelta(days=1)


@task()
def daily_expiry_notices() -> int:
    """The queued task: send the notices due, then queue the next day's run; returns how many were sent."""
    try:
        return len(send_expiry_notices())
    finally:
        schedule()


def _waiting() -> bool:
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # pragma: no cover - django-tasks-db is a runtime dependency
        return False
    return DBTaskResult.objects.filter(status="READY", task_path=daily_expiry_notices.module_path).exists()


def schedule() -> bool:
    """Queue the next daily run unless one is already waiting (two workers starting at once may both
    queue one: the second run then finds nothing due); returns whether it queued one."""
    if _waiting():
        return False
    daily_expiry_notices.using(run_after=next_run(timezone.now())).enqueue()
    return True
