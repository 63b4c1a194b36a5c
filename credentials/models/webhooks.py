from __future__ import annotations

import uuid

from django.db import models

from credentials.encryption import EncryptedJSONField


class WebhookEndpoint(models.Model):
    """A URL of the organization's that receives signed event deliveries (Standard Webhooks 1.0)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        "credentials.Organization", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=2000)
    # Event types it subscribes to; empty means every event.
    events = models.JSONField(default=list, blank=True)
    enabled = models.BooleanField(default=True)
    # Why it was disabled automatically (empty when an admin disabled it, or it is enabled).
    disabled_reason = models.CharField(max_length=200, blank=True)
    # When its current run of failed attempts began (None after a success): past the setting, disabled.
    failing_since = models.DateTimeField(null=True, blank=True)
    # A credential whose authentication is added to every delivery; its origin rule then applies.
    credential = models.ForeignKey(
        "credentials.Credential", null=True, blank=True, on_delete=models.SET_NULL, related_name="webhook_endpoints"
    )
    # {"secret": "whsec_..."}, encrypted like every other secret.
    signing_secret = EncryptedJSONField()
    # The secret before the last roll, still signed with until previous_secret_expires_at.
    previous_secret = EncryptedJSONField(null=True, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def subscribes_to(self, event_type: str) -> bool:
        return not self.events or event_type in self.events


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: the outbox row, written in the transaction of the change."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    # The webhook-id header: the same for every attempt (and resend), so receivers can deduplicate.
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    # {"type", "timestamp", "data"}: exactly the body that is sent.
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker holds the delivery until then; one killed mid-delivery lets it go when this passes.
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["endpoint", "-created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint}"
