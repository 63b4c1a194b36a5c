"""Credentials (metadata only) and connections in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest

from credentials import audit
from credentials.actions import connections as connection_actions
from credentials.actions.credentials import do_delete_credential, do_edit_credential_details
from credentials.admin.base import VIA_ADMIN, ActionAdmin
from credentials.forms.credentials import extra_headers_problems, same_origin
from credentials.models import Connection, Credential, Organization, OrganizationCredential


class CredentialChangeAdmin(ActionAdmin):
    """Records the admin's metadata edits and deletes of credentials with the operator as actor.

    Django's admin already runs each save or delete in one transaction with its audit event. Credentials
    themselves go through ``credentials/actions/credentials.py``; this records organization credential rows.
    """

    audit_name = ""  # the action prefix, e.g. "credential"

    def record(self, request: HttpRequest, action: str, obj: Any, **details: Any) -> None:
        audit.record(
            f"{self.audit_name}.{action}",
            organization=obj.organization if self.audit_name == "credential" else obj.credential.organization,
            actor=request.user,
            target=obj,
            request=request,
            via=VIA_ADMIN,
            **details,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if form.changed_data:
            self.record(request, "edited", obj, changed=list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record(request, "deleted", obj)
        super().delete_model(request, obj)


class OrganizationCredentialInline(admin.TabularInline):
    """Which child organizations hold their own secrets; the secrets themselves are not here."""

    model = OrganizationCredential
    fk_name = "credential"
    fields = ("organization",)
    readonly_fields = ("organization",)
    extra = 0
    can_delete = False
    verbose_name = "organization credential"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # secrets are entered in the Credentials tab, never in the admin


class CredentialAdminForm(forms.ModelForm):
    """The admin edits a credential's details under the overlay's rules, without its secrets."""

    def clean_extra_headers(self) -> list[list[str]]:
        value = self.cleaned_data.get("extra_headers")
        problems = extra_headers_problems(value, self.instance.auth_type, self.instance.auth_settings)
        if problems:
            raise forms.ValidationError(problems)
        return value

    def clean_base_url(self) -> str:
        url = self.cleaned_data.get("base_url", "")
        if self.instance.pk and not same_origin(url, self.instance.base_url):
            # The secrets were entered for the old origin; only the credential form can take new ones.
            raise forms.ValidationError(
                "A new scheme, host or port needs the secrets again: change it in the Credentials tab."
            )
        return url


@admin.register(Credential)
class CredentialAdmin(CredentialChangeAdmin):
    audit_name = "credential"
    list_display = (
        "name",
        "organization",
        "connector",
        "auth_type",
        "is_test",
        "org_specific",
        "updated_at",
        "last_used_at",
    )
    list_filter = ("connector", "auth_type", "is_test", "org_specific", "content_type")
    search_fields = ("name", "description", "base_url", "organization__name", "organization__slug", "=id")
    list_select_related = ("organization",)
    # `secrets` is excluded from every form: it can neither be shown nor overwritten here.
    fields = (
        "organization",
        "name",
        "description",
        "connector",
        "base_url",
        "is_test",
        "content_type",
        "extra_headers",
        "auth_type",
        "auth_settings",
        "org_specific",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "last_used_at",
    )
    # The authentication type and its settings must match the secrets' shape, which only the
    # credential form (with the secrets in hand) can guarantee: every other field is read-only.
    readonly_fields = tuple(
        name
        for name in fields
        if name not in ("name", "description", "base_url", "is_test", "content_type", "extra_headers")
    )
    inlines = (OrganizationCredentialInline,)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("secrets")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a credential without its secrets is useless: admins add them in the Credentials tab

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        kwargs["form"] = CredentialAdminForm
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Credential, form: Any, change: bool) -> None:
        do_edit_credential_details(obj, list(form.changed_data), actor=request.user, request=request, via=VIA_ADMIN)

    def delete_model(self, request: HttpRequest, obj: Credential) -> None:
        # The same path as the Credentials tab: the connections that used it are revoked.
        do_delete_credential(obj, actor=request.user, request=request)


@admin.register(OrganizationCredential)
class OrganizationCredentialAdmin(CredentialChangeAdmin):
    audit_name = "organization_credential"
    list_display = ("credential", "organization", "credential_organization")
    search_fields = ("credential__name", "organization__name", "organization__slug", "credential__organization__slug")
    list_select_related = ("credential__organization", "organization")
    fields = ("credential", "organization")
    readonly_fields = ("credential", "organization")

    @admin.display(description="Credential's organization")
    def credential_organization(self, obj: OrganizationCredential) -> Organization:
        return obj.credential.organization

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("secrets")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConnectionForm(forms.ModelForm):
    """A connection may only use its own organization's credential and access key."""

    class Meta:
        model = Connection
        fields = ("organization", "kind", "connector", "name", "credential", "access_key", "status", "revoked_reason")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        organization = data.get("organization")
        for name in ("credential", "access_key"):
            related = data.get(name)
            if organization is not None and related is not None and related.organization_id != organization.pk:
                self.add_error(name, f"Choose one of {organization}'s own.")
        return data


@admin.register(Connection)
class ConnectionAdmin(ActionAdmin):
    list_display = ("name", "organization", "kind", "connector", "credential", "access_key", "status", "updated_at")
    list_filter = ("kind", "status", "connector")
    search_fields = ("name", "organization__name", "organization__slug", "credential__name", "access_key__key_id")
    list_select_related = ("organization", "credential", "access_key")
    raw_id_fields = ("credential", "access_key")
    readonly_fields = ("created_at", "updated_at")
    form = ConnectionForm

    def save_model(self, request: HttpRequest, obj: Connection, form: Any, change: bool) -> None:
        connection_actions.do_save_connection(
            obj.organization,
            obj,
            list(form.changed_data),
            created=not change,
            actor=request.user,
            request=request,
            via=VIA_ADMIN,
        )

    def delete_model(self, request: HttpRequest, obj: Connection) -> None:
        connection_actions.do_delete_connection(
            obj.organization, obj, actor=request.user, request=request, via=VIA_ADMIN
        )
