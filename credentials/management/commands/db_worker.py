"""``db_worker`` of django-tasks-db, which first queues again the webhook deliveries a stopped worker left,
and the daily access key expiry notices if no run is waiting."""

from __future__ import annotations

import logging
from typing import Any

from django.db import OperationalError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from credentials import expiry_notices
from credentials.webhooks.delivery import requeue_pending

logger = logging.getLogger(__name__)


class Command(DatabaseWorkerCommand):
    help = (
        "Run tasks from the database queue; pending webhook deliveries are queued again first, and the daily "
        "access key expiry notices if no run is waiting."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            requeue_pending()
        except OperationalError as error:
            # SQLite busy with another worker starting: that one re-queues, and this one still works.
            logger.warning("Pending webhook deliveries were not re-queued: %s", error)
        try:
            expiry_notices.schedule()
        except OperationalError as error:
            logger.warning("The daily expiry notices were not scheduled: %s", error)
        super().handle(*args, **options)
