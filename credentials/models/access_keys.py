from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models

from credentials.models.organizations import Membership


class AccessKey(models.Model):
    """An ID + secret pair with which a program calls credhub's JSON API. The secret is kept only as a hash."""

    class CredentialAccess(models.TextChoices):
        """Which stored credentials the key may use through the credential proxy (least privilege)."""

        NONE = "none", "Use no credentials"
        ALL = "all", "Use all credentials"
        SELECTED = "selected", "Use selected credentials"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("credentials.Organization", on_delete=models.CASCADE, related_name="access_keys")
    # None for a system-generated key, which acts with `role` instead of an owner's role.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="access_keys"
    )
    name = models.CharField(max_length=100)
    key_id = models.CharField("Access key ID", max_length=64, unique=True)
    secret_hash = models.CharField(max_length=128)
    # The role a system-generated key acts with; for an owned key, the owner's role when it was created.
    role = models.CharField(max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    system_generated = models.BooleanField(default=False)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    last_used_ip = models.GenericIPAddressField(null=True, blank=True)
    # The request of that last use, method and path without the query (which could carry anything).
    last_used_method = models.CharField(max_length=10, blank=True, default="")
    last_used_path = models.CharField(max_length=200, blank=True, default="")
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set while the key is inactive: it refuses every request until reactivated (a revoke is final).
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # During a roll, the hash of the secret the roll replaced and when it stops working.
    previous_secret_hash = models.CharField(max_length=128, blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    # Which credentials the key may use through the proxy; `permitted_credentials` only counts for SELECTED.
    credential_access = models.CharField(
        "Credential permissions", max_length=10, choices=CredentialAccess.choices, default=CredentialAccess.NONE
    )
    permitted_credentials = models.ManyToManyField(
        "credentials.Credential", blank=True, related_name="permitted_access_keys"
    )
    # Addresses and ranges (IPv4/IPv6 CIDR, as typed and normalized) the key may be used from; empty: anywhere.
    allowed_addresses = models.JSONField("Allowed addresses", default=list, blank=True)

    class Meta:
        ordering = ["-system_generated", "name", "created_at", "id"]
        # The list pages along this order (with or without system-generated keys). The page's banner of
        # keys about to expire reads a range of expiry dates.
        indexes = [
            models.Index(
                fields=["organization", "-system_generated", "name", "created_at", "id"], name="access_key_list_order"
            ),
            models.Index(fields=["organization", "expires_at"], name="access_key_expiry_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_id})"

    def is_rolling(self, now: datetime) -> bool:
        """True while the secret a roll replaced still authenticates."""
        return (
            bool(self.previous_secret_hash)
            and self.previous_secret_until is not None
            and self.previous_secret_until > now
        )

    def may_use(self, credential_id: object) -> bool:
        """Whether the key's permissions let it use the credential (of its own organization) through the proxy."""
        return AccessKey.permits(self.pk, self.credential_access, credential_id)

    @staticmethod
    def permits(key_pk: object, credential_access: str, credential_id: object) -> bool:
        """``may_use`` from the key's columns, for a key read as a row (the proxy's, on every call)."""
        if credential_access == AccessKey.CredentialAccess.ALL:
            return True
        if credential_access == AccessKey.CredentialAccess.SELECTED:
            return AccessKey.permitted_credentials.through.objects.filter(
                accesskey_id=key_pk, credential_id=credential_id
            ).exists()
        return False


class ExpiryNotice(models.Model):
    """That a key's owner was told of its expiry at one threshold, so that each notice goes out once."""

    access_key = models.ForeignKey(AccessKey, on_delete=models.CASCADE, related_name="expiry_notices")
    # Days before expiry the notice was for (7 and 1), or 0 for the key having expired.
    days_left = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["access_key", "days_left"], name="one_expiry_notice_per_threshold")
        ]

    def __str__(self) -> str:
        return f"{self.access_key}: {self.days_left} days left"


class APIKey(models.Model):
    """A legacy single-token key sent as `x-api-key`. Stored only as a hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey("credentials.Organization", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=32, db_index=True)
    secret_hash = models.CharField(max_length=128, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name", "created_at"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
