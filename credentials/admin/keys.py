"""Access keys and legacy API keys in the admin: metadata only, never a secret or its hash."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from credentials import credential_permissions, gate
from credentials.actions import access_keys as access_key_actions
from credentials.actions import api_keys as api_key_actions
from credentials.admin.base import VIA_ADMIN, ActionAdmin
from credentials.models import AccessKey, APIKey


class AccessKeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("inactive", "Inactive"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        match self.value():
            case "active":
                unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
                return queryset.filter(unexpired, revoked_at__isnull=True, deactivated_at__isnull=True)
            case "inactive":
                return queryset.filter(revoked_at__isnull=True, deactivated_at__isnull=False)
            case "expired":
                return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
        return queryset


# Stored by do_set_credential_permissions, never by the admin's own save.
PERMISSION_FIELDS = ("credential_access", "permitted_credentials")


class AccessKeyAdminForm(forms.ModelForm):
    """Offers only the key's own organization's credentials, checked by the screens' rules."""

    class Meta:
        model = AccessKey
        fields = ("name", "role", "expires_at", *PERMISSION_FIELDS)  # the admin's `fields` decide, minus read-only

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "permitted_credentials" in self.fields and self.instance.organization_id:
            self.fields["permitted_credentials"].queryset = gate.credentials_for(self.instance.organization)
        self.permitted: list = []

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "credential_access" in cleaned and "permitted_credentials" in cleaned:
            ids = [credential.pk for credential in cleaned["permitted_credentials"]]
            try:
                self.permitted = credential_permissions.resolve(
                    self.instance.organization, cleaned["credential_access"], ids
                )
            except ValidationError as problem:
                self.add_error("permitted_credentials", problem)
        return cleaned


@admin.register(AccessKey)
class AccessKeyAdmin(ActionAdmin):
    form = AccessKeyAdminForm
    list_display = (
        "name",
        "key_id",
        "organization",
        "owner",
        "role",
        "system_generated",
        "status",
        "expires_at",
        "last_used_at",
        "last_used_ip",
    )
    list_filter = (AccessKeyStatusFilter, "system_generated", "role", "credential_access")
    search_fields = ("name", "=key_id", "organization__name", "organization__slug", "owner__username")
    list_select_related = ("organization", "owner")
    # `secret_hash` is left out: it is never shown or editable.
    fields = (
        "organization",
        "name",
        "key_id",
        "owner",
        "role",
        "system_generated",
        "expires_at",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "last_used_method",
        "last_used_path",
        "deactivated_at",
        "previous_secret_until",
        "revoked_at",
        "allowed_addresses_list",
        *PERMISSION_FIELDS,
    )
    readonly_fields = (
        "organization",
        "key_id",
        "owner",
        "system_generated",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "last_used_method",
        "last_used_path",
        "deactivated_at",
        "previous_secret_until",
        "revoked_at",
        "allowed_addresses_list",
    )
    actions = ("revoke_selected_keys", "deactivate_selected_keys", "reactivate_selected_keys")

    @admin.display(description="Status")
    def status(self, obj: AccessKey) -> str:
        if obj.revoked_at is not None:
            return "Revoked"
        if obj.deactivated_at is not None:
            return "Inactive"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "Expired"
        return "Active"

    # Read-only here: changed on the API authentication page or the API, through do_set_allowed_addresses.
    @admin.display(description="Allowed addresses")
    def allowed_addresses_list(self, obj: AccessKey) -> str:
        return ", ".join(obj.allowed_addresses or []) or "Any address"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a secret is shown once at creation: use the API authentication page or create_system_key

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = connections = 0
        for access_key in queryset.select_related("organization"):
            if access_key.revoked_at is not None:
                continue
            connections += len(
                access_key_actions.do_revoke_access_key(
                    access_key.organization, access_key, actor=request.user, request=request, via=VIA_ADMIN
                )
            )
            revoked += 1
        self.message_user(
            request,
            f"Revoked {revoked} access key{'s' if revoked != 1 else ''} and "
            f"{connections} connection{'s' if connections != 1 else ''}.",
            messages.SUCCESS,
        )

    @admin.action(description="Deactivate selected keys", permissions=["change"])
    def deactivate_selected_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        # Connections established with a key are not revoked: a deactivation is meant to be undone.
        count = sum(
            access_key_actions.do_deactivate_access_key(
                access_key.organization, access_key, actor=request.user, request=request, via=VIA_ADMIN
            )
            for access_key in queryset.select_related("organization").filter(revoked_at__isnull=True)
        )
        self.message_user(request, f"Deactivated {count} access key{'s' if count != 1 else ''}.", messages.SUCCESS)

    @admin.action(description="Reactivate selected keys", permissions=["change"])
    def reactivate_selected_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = sum(
            access_key_actions.do_reactivate_access_key(
                access_key.organization, access_key, actor=request.user, request=request, via=VIA_ADMIN
            )
            for access_key in queryset.select_related("organization")
        )
        self.message_user(request, f"Reactivated {count} access key{'s' if count != 1 else ''}.", messages.SUCCESS)

    def save_model(self, request: HttpRequest, obj: AccessKey, form: Any, change: bool) -> None:
        changed = [name for name in form.changed_data if name not in PERMISSION_FIELDS]
        access_key_actions.do_edit_access_key(
            obj.organization, obj, changed, actor=request.user, request=request, via=VIA_ADMIN
        )
        self.save_credential_permissions(request, obj, form)

    def save_credential_permissions(self, request: HttpRequest, obj: AccessKey, form: Any) -> None:
        if set(PERMISSION_FIELDS) & set(form.changed_data):
            access_key_actions.do_set_credential_permissions(
                obj.organization,
                obj,
                form.cleaned_data["credential_access"],
                form.permitted,
                actor=request.user,
                request=request,
                via=VIA_ADMIN,
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The permitted credentials were stored by the action in save_model: no second, unaudited write.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request: HttpRequest, obj: AccessKey) -> None:
        access_key_actions.do_delete_access_key(
            obj.organization, obj, actor=request.user, request=request, via=VIA_ADMIN
        )


@admin.register(APIKey)
class APIKeyAdmin(ActionAdmin):
    list_display = ("name", "prefix", "organization", "created_by", "created_at", "last_used_at")
    search_fields = ("name", "=prefix", "organization__name", "organization__slug")
    list_select_related = ("organization", "created_by")
    # `secret_hash` is left out: it is never shown or editable.
    fields = ("organization", "name", "prefix", "created_by", "created_at", "last_used_at")
    readonly_fields = ("organization", "prefix", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once at creation, in the organization's API authentication page

    def save_model(self, request: HttpRequest, obj: APIKey, form: Any, change: bool) -> None:
        if "name" in form.changed_data:  # the only field that can be changed here
            api_key_actions.do_rename_api_key(
                obj.organization, obj, obj.name, actor=request.user, request=request, via=VIA_ADMIN
            )

    def delete_model(self, request: HttpRequest, obj: APIKey) -> None:
        api_key_actions.do_delete_api_key(obj.organization, obj, actor=request.user, request=request, via=VIA_ADMIN)
