from __future__ import annotations

import uuid

from django.db import models

from credentials import catalog


class Connection(models.Model):
    """A data source or destination, authenticated with one of the organization's credentials."""

    class Kind(models.TextChoices):
        SOURCE = "source", "Data source"
        DESTINATION = "destination", "Data destination"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        REVOKED = "revoked", "Revoked"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("credentials.Organization", on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    connector = models.CharField(max_length=32, choices=[(c.code, c.label) for c in catalog.CONNECTORS.values()])
    name = models.CharField(max_length=100)
    credential = models.ForeignKey(
        "credentials.Credential", null=True, blank=True, on_delete=models.SET_NULL, related_name="connections"
    )
    # The system-generated access key through which the integration calls credhub back, if any.
    access_key = models.ForeignKey(
        "credentials.AccessKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="connections"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    revoked_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["organization", "name", "id"], name="connection_list_order"),
            # The list filtered by status (and connector): the page and its bounded count from the index alone.
            models.Index(fields=["organization", "status", "connector", "name", "id"], name="connection_filter_order"),
        ]

    def __str__(self) -> str:
        return self.name

    # The list's rows read these: Django's get_FOO_display() rebuilds a dict of every choice on each call.
    # Like it, they fall back to the stored value.
    @property
    def kind_label(self) -> str:
        try:
            return self.Kind(self.kind).label
        except ValueError:
            return self.kind

    @property
    def is_revoked(self) -> bool:
        return self.status == self.Status.REVOKED

    @property
    def connector_label(self) -> str:
        connector = catalog.CONNECTORS.get(self.connector)
        return connector.label if connector is not None else self.connector
