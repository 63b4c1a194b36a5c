from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower

from credentials import catalog
from credentials.encryption import EncryptedJSONField


class Credential(models.Model):
    """An outbound credential: how one of the organization's integrations authenticates to an API."""

    ContentType = catalog.ContentType

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("credentials.Organization", on_delete=models.CASCADE, related_name="credentials")
    connector = models.CharField(
        max_length=32, choices=[(c.code, c.label) for c in catalog.CONNECTORS.values()], default=catalog.HTTP_API
    )
    name = models.CharField("Credential Name", max_length=100)
    description = models.CharField("Credential Description", max_length=500, blank=True)
    base_url = models.URLField("Base URL", max_length=2048, blank=True)
    is_test = models.BooleanField("Test credentials", default=False)
    org_specific = models.BooleanField("Org. Specific Authentication", default=False)
    content_type = models.CharField(max_length=40, choices=ContentType.choices, default=ContentType.JSON)
    # Non-secret extra headers, as [[name, value], ...] in the order the admin typed them.
    extra_headers = models.JSONField(default=list, blank=True)
    auth_type = models.CharField(
        "Authentication type",
        max_length=16,
        choices=[(t.code, t.label) for t in catalog.AUTH_TYPES.values()],
        default=catalog.BASIC,
    )
    # The authentication type's non-secret settings (header names, AWS region, ...).
    auth_settings = models.JSONField(default=dict, blank=True)
    # The authentication type's secret fields; empty when org-specific (each row holds its own).
    secrets = EncryptedJSONField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [Lower("name"), "id"]
        # The Credentials tab and the Authenticate screen (one connector's credentials) page along these.
        indexes = [
            models.Index(F("organization"), Lower("name"), F("id"), name="credential_list_order"),
            models.Index(F("organization"), F("connector"), Lower("name"), F("id"), name="credential_connector_order"),
        ]
        constraints = [
            models.UniqueConstraint(Lower("name"), "organization", name="credential_name_unique_in_organization")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def connector_type(self) -> catalog.Connector:
        return catalog.CONNECTORS.get(self.connector, catalog.CONNECTORS[catalog.HTTP_API])

    @property
    def auth(self) -> catalog.AuthType:
        return catalog.AUTH_TYPES[self.auth_type]


class OrganizationCredential(models.Model):
    """One child organization's own secrets inside an org-specific credential."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="organization_credentials")
    organization = models.ForeignKey("credentials.Organization", on_delete=models.CASCADE, related_name="+")
    secrets = EncryptedJSONField()

    class Meta:
        ordering = ["organization__name"]
        constraints = [models.UniqueConstraint(fields=["credential", "organization"], name="one_row_per_organization")]

    def __str__(self) -> str:
        return f"{self.credential} for {self.organization}"
