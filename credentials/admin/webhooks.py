"""Webhook endpoints and deliveries in the admin: read-only, no signing secret, and a Resend action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from credentials.actions.webhooks import do_resend_delivery
from credentials.admin.base import VIA_ADMIN
from credentials.models import WebhookDelivery, WebhookEndpoint


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(ReadOnlyAdmin):
    list_display = ("name", "organization", "url", "enabled", "failing_since", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "url", "organization__slug", "organization__name")
    list_select_related = ("organization",)
    # The signing secrets are not among the fields: they are never shown here, not even masked.
    fields = (
        "organization",
        "name",
        "url",
        "events",
        "enabled",
        "disabled_reason",
        "failing_since",
        "credential",
        "previous_secret_expires_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("signing_secret", "previous_secret")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("event_type", "endpoint", "status", "attempts", "last_error", "created_at", "next_attempt_at")
    list_filter = ("status", "event_type")
    search_fields = ("=event_id", "event_type", "endpoint__name", "endpoint__organization__slug")
    list_select_related = ("endpoint__organization",)
    fields = (
        "endpoint",
        "event_id",
        "event_type",
        "payload",
        "status",
        "attempts",
        "next_attempt_at",
        "last_attempt_at",
        "last_error",
        "duration_ms",
        "response_status",
        "response_body",
        "created_at",
    )
    readonly_fields = fields
    actions = ["resend"]

    @admin.action(description="Resend the selected deliveries")
    def resend(self, request: HttpRequest, queryset: QuerySet) -> None:
        resent = skipped = 0
        for delivery in queryset.select_related("endpoint__organization"):
            if not delivery.endpoint.enabled:
                skipped += 1
                continue
            do_resend_delivery(
                delivery.endpoint.organization, delivery, actor=request.user, request=request, via=VIA_ADMIN
            )
            resent += 1
        self.message_user(request, f"{resent} delivery(ies) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(request, f"{skipped} skipped: their endpoint is disabled.", messages.WARNING)
