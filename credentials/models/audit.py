from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Details never hold a secret."""

    organization = models.ForeignKey(
        "credentials.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How the actor is named in the log: a username, "access key AK…", "operator (manage.py)".
    actor = models.CharField(max_length=200)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        # The log reads newest first, a page at a time, whole or filtered by action or by actor.
        indexes = [
            models.Index(fields=["organization", "at", "id"], name="audit_organization_at"),
            models.Index(fields=["organization", "action", "at", "id"], name="audit_organization_action_at"),
            models.Index(fields=["organization", "actor", "at", "id"], name="audit_organization_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_label}"
