"""What every credhub model admin shares: changes go through an action, one per object."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

# How the audit log names the road an admin change came by.
VIA_ADMIN = "Django admin"


class ActionAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletes call an action (each subclass says which)."""

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One action (and audit event) per object, as if each had been deleted on its own.
        for obj in queryset:
            self.delete_model(request, obj)
