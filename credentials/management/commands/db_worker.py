"""``db_worker`` of django-tasks-db, which first queues again the webhook deliveries a stopped worker left."""

from __future__ import annotations

import logging
from typing import Any

from django.db import OperationalError
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from credentials.webhooks.delivery import requeue_pending

logger = logging.getLogger(__name__)


class Command(DatabaseWorkerCommand):
    help = "Run tasks from the database queue; pending webhook deliveries are queued again first."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            requeue_pending()
        except OperationalError as error:
            # SQLite busy with another worker starting: that one re-queues, and this one still works.
            logger.warning("Pending webhook deliveries were not re-queued: %s", error)
        super().handle(*args, **options)
