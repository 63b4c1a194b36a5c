"""List an organization's webhook endpoints and how their deliveries fare: never a signing secret."""

from __future__ import annotations

from django.db.models import Count, Q

from credentials.management.base import OperatorCommand
from credentials.models import WebhookDelivery, WebhookEndpoint

COLUMNS = ("id", "name", "url", "enabled", "events", "pending", "failed", "failing_since")


class Command(OperatorCommand):
    help = "List an organization's webhook endpoints with their pending and failed deliveries (no secrets)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", metavar="ORG", help="the organization's slug")
        parser.add_argument("--json", action="store_true", help="print a JSON array instead of a table")

    def handle(self, *args, **options) -> None:
        organization = self.organization(options["organization"])
        endpoints = (
            WebhookEndpoint.objects.filter(organization=organization)
            .defer("signing_secret", "previous_secret")
            .annotate(
                pending=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.PENDING)),
                failed=Count("deliveries", filter=Q(deliveries__status=WebhookDelivery.Status.FAILED)),
            )
        )
        rows = [
            {
                "id": str(endpoint.pk),
                "name": endpoint.name,
                "url": endpoint.url,
                "enabled": endpoint.enabled,
                "events": endpoint.events or ["all"],
                "pending": endpoint.pending,
                "failed": endpoint.failed,
                "failing_since": endpoint.failing_since.isoformat() if endpoint.failing_since else None,
            }
            for endpoint in endpoints
        ]
        if options["json"]:
            self.write_json(rows)
            return
        self.stdout.write("\t".join(COLUMNS))
        for row in rows:
            cells = [",".join(v) if isinstance(v, list) else ("-" if v is None else str(v)) for v in row.values()]
            self.stdout.write("\t".join(cell.replace("\t", " ") for cell in cells))
