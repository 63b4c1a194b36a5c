from __future__ import annotations

import secrets
import string

from django.conf import settings
from django.db import models

ACCOUNT_ID_ALPHABET = string.ascii_uppercase + string.digits

# Periods (in days) that an access key's expiry may be set to; an organization offers a subset.
EXPIRY_PERIODS = (7, 30, 60, 90, 180, 365)


def new_account_id() -> str:
    return "".join(secrets.choice(ACCOUNT_ID_ALPHABET) for _ in range(16))


def new_debug_session_key() -> str:
    return secrets.token_hex(16)


def default_expiry_periods() -> list[int]:
    return list(EXPIRY_PERIODS)


class Organization(models.Model):
    class APIKeyPolicy(models.TextChoices):
        ENABLED = "enabled", "Enabled"
        DEPRECATED = "deprecated", "Deprecated"
        DISABLED = "disabled", "Disabled"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    account_id = models.CharField("Account ID", max_length=32, unique=True, default=new_account_id, editable=False)
    account_domain = models.CharField("Account domain", max_length=253, blank=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    api_credentials_enabled = models.BooleanField(
        "API credentials management",
        default=False,
        help_text="Shows the Credentials and Webhooks tab to this organization's admins.",
    )
    access_key_expiry_periods = models.JSONField(
        "Expiry periods offered (days)", default=default_expiry_periods, blank=True
    )
    access_key_allow_no_expiry = models.BooleanField("Allow keys that never expire", default=False)
    access_key_default_expiry = models.PositiveIntegerField(
        "Default expiry (days)", null=True, blank=True, default=90, help_text="Empty means no expiry."
    )
    # The longest lifetime a new access key may have (GitHub's org token policy); empty means no maximum.
    access_key_max_lifetime = models.PositiveIntegerField("Maximum lifetime (days)", null=True, blank=True)
    # Keys created before the maximum that exceed it are refused on use from this date (never revoked).
    access_key_max_lifetime_grace_until = models.DateTimeField(
        "Keys over the maximum lifetime work until", null=True, blank=True
    )
    proxy_rate_limit = models.PositiveIntegerField(
        "Proxy requests per minute, per key",
        default=600,
        help_text="How many calls one access key may make through the credential proxy in a minute.",
    )
    api_key_policy = models.CharField(
        "API key policy", max_length=12, choices=APIKeyPolicy.choices, default=APIKeyPolicy.ENABLED
    )
    api_key_sunset_at = models.DateTimeField("API key sunset date", null=True, blank=True)
    debug_session_key = models.CharField(max_length=64, unique=True, default=new_debug_session_key)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", "Organization Admin"
        MEMBER = "member", "Member"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN
