"""Give failed webhook deliveries a fresh set of attempts, and queue every pending one again."""

from __future__ import annotations

from django.utils import timezone

from credentials import audit
from credentials.management.base import OPERATOR, OperatorCommand
from credentials.models import WebhookDelivery
from credentials.webhooks.delivery import requeue_pending


class Command(OperatorCommand):
    help = (
        "Retry failed webhook deliveries of enabled endpoints from their first attempt, and queue pending "
        "ones again (after a queue outage, or on Redis where no db_worker start does it)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", metavar="SLUG", help="only this organization's deliveries")

    def handle(self, *args, **options) -> None:
        failed = WebhookDelivery.objects.filter(status=WebhookDelivery.Status.FAILED, endpoint__enabled=True)
        organization = self.organization(options["org"]) if options["org"] else None
        if organization is not None:
            failed = failed.filter(endpoint__organization=organization)
        count = failed.update(
            status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=timezone.now(), claimed_until=None
        )
        audit.record(
            "webhook.deliveries_retried", organization=organization, actor=OPERATOR, count=count, via="manage.py"
        )
        queued = requeue_pending(organization)
        self.stdout.write(f"{count} failed deliveries will be retried; {queued} pending deliveries queued.")
