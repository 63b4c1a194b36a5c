"""The audit log in the admin: read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from credentials import audit
from credentials.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "organization", "actor", "action_words", "target_label", "address")
    list_filter = ("action", "target_type")
    search_fields = ("actor", "action", "target_label", "=target_id", "organization__name", "organization__slug")
    list_select_related = ("organization",)
    date_hierarchy = "at"
    fields = (
        "at",
        "organization",
        "actor",
        "actor_user",
        "action",
        "target_type",
        "target_id",
        "target_label",
        "address",
        "details",
    )
    readonly_fields = fields

    @admin.display(description="Action", ordering="action")
    def action_words(self, obj: AuditEvent) -> str:
        return audit.describe(obj.action)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
