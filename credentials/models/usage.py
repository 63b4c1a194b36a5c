from __future__ import annotations

from django.db import models


class UsageRecord(models.Model):
    """One call a program made through the credential proxy.

    It names who called what and how it went, never a header value, a query string or a body: the path is
    kept without its query, and the key by its public ID (kept after the key is deleted).
    """

    # One record is written on every proxied call, and each index costs about 13 µs of the write on SQLite:
    # these two foreign keys have none of their own. Every read names the credential and goes along
    # usage_by_credential, whose first column it is; deleting an organization reads the table through.
    organization = models.ForeignKey(
        "credentials.Organization", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    credential = models.ForeignKey(
        "credentials.Credential", on_delete=models.CASCADE, related_name="usage_records", db_index=False
    )
    access_key = models.ForeignKey(
        "credentials.AccessKey", null=True, blank=True, on_delete=models.SET_NULL, related_name="usage_records"
    )
    key_id = models.CharField("Access key ID", max_length=64)
    # The child organization whose secrets an org-specific credential used.
    child_organization = models.ForeignKey(
        "credentials.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=2048)
    # The upstream's status, or None when credhub answered itself (then `error` says why).
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=40, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)
    request_bytes = models.BigIntegerField(default=0)
    response_bytes = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # The credential's Usage panel pages along this; the counts of 24 h and 30 days range over it.
            models.Index(fields=["credential", "-at", "-id"], name="usage_by_credential"),
            # The retention cleanup deletes by age.
            models.Index(fields=["at"], name="usage_by_age"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} with {self.key_id}"


class ProxyCallCount(models.Model):
    """How many calls an access key made through the proxy in its current minute: the rate limit's counter
    when no Redis is configured (``credentials.proxy.rate``). One row per key, reused minute after minute."""

    access_key = models.OneToOneField(
        "credentials.AccessKey", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    minute = models.BigIntegerField()  # minutes since the epoch
    calls = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.calls} calls in minute {self.minute}"
