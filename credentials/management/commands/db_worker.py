"""``db_worker`` of django-tasks-db, which first queues again the webhook deliveries a stopped worker left."""

from __future__ import annotations

from typing import Any

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from credentials.webhooks.delivery import requeue_pending


class Command(DatabaseWorkerCommand):
    help = "Run tasks from the database queue; pending webhook deliveries are queued again first."

    def handle(self, *args: Any, **options: Any) -> None:
        requeue_pending()
        super().handle(*args, **options)
