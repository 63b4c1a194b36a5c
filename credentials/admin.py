"""The Django admin for operators: every model, metadata only.

No secret, hash or ciphertext is ever shown or editable here: encrypted ``secrets`` columns and
``secret_hash`` columns are left out of every form, list and inline, so no admin form can write a
masked value over a stored secret (the field is simply not there). Every change made here is recorded
in the audit log with the operator as actor.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import ReadOnlyPasswordHashField, ReadOnlyPasswordHashWidget, UserChangeForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from credentials import audit, revocation
from credentials.actions.credentials import do_delete_credential, do_edit_credential_details
from credentials.forms.credentials import extra_headers_problems, same_origin
from credentials.models import (
    AccessKey,
    APIKey,
    AuditEvent,
    Connection,
    Credential,
    Membership,
    Organization,
    OrganizationCredential,
)
from credentials.models.organizations import EXPIRY_PERIODS

VIA_ADMIN = "Django admin"

# Organization fields whose old and new values may go into the audit log (none is secret).
POLICY_FIELDS = (
    "api_credentials_enabled",
    "access_key_expiry_periods",
    "access_key_allow_no_expiry",
    "access_key_default_expiry",
    "api_key_policy",
    "api_key_sunset_at",
)

admin.site.site_header = "credhub operators"
admin.site.site_title = "credhub admin"
admin.site.index_title = "Organizations, credentials and keys"


def _plain(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class AuditedAdmin(admin.ModelAdmin):
    """Records every add, change and delete made in the admin, with the operator as actor."""

    audit_name = ""  # the action prefix, e.g. "credential"

    def audit_organization(self, obj: Any) -> Organization | None:
        return obj.organization

    def record(self, request: HttpRequest, action: str, obj: Any, **details: Any) -> None:
        audit.record(
            f"{self.audit_name}.{action}",
            organization=self.audit_organization(obj),
            actor=request.user,
            target=obj,
            request=request,
            via=VIA_ADMIN,
            **details,
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and not form.changed_data:
            return
        self.record(request, "edited" if change else "created", obj, changed=list(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        self.record(request, "deleted", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        # One audit event per object, as if each had been deleted on its own.
        for obj in queryset:
            self.delete_model(request, obj)


# Organizations ----------------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0


class ChildOrganizationInline(admin.TabularInline):
    model = Organization
    fk_name = "parent"
    fields = ("name", "slug", "api_credentials_enabled")
    extra = 0
    show_change_link = True
    verbose_name = "child organization"
    verbose_name_plural = "child organizations"


class OrganizationForm(forms.ModelForm):
    access_key_expiry_periods = forms.TypedMultipleChoiceField(
        label="Expiry periods offered",
        choices=[(days, f"{days} days") for days in EXPIRY_PERIODS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The periods an Organization Admin may choose when creating an access key.",
    )

    class Meta:
        model = Organization
        fields = (
            "name",
            "slug",
            "account_domain",
            "parent",
            "api_credentials_enabled",
            "access_key_expiry_periods",
            "access_key_allow_no_expiry",
            "access_key_default_expiry",
            "api_key_policy",
            "api_key_sunset_at",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        periods = data.get("access_key_expiry_periods") or []
        default = data.get("access_key_default_expiry")
        if not periods and not data.get("access_key_allow_no_expiry"):
            self.add_error("access_key_expiry_periods", "Offer at least one period, or allow keys that never expire.")
        if default is not None and default not in periods:
            self.add_error("access_key_default_expiry", "The default must be one of the periods offered.")
        if default is None and not data.get("access_key_allow_no_expiry") and "access_key_default_expiry" in data:
            self.add_error("access_key_default_expiry", "Empty means no expiry, which this policy does not allow.")
        if data.get("api_key_policy") == Organization.APIKeyPolicy.DEPRECATED and not data.get("api_key_sunset_at"):
            self.add_error("api_key_sunset_at", "A deprecated policy needs the sunset date shown to admins.")
        return data


@admin.register(Organization)
class OrganizationAdmin(AuditedAdmin):
    audit_name = "organization"
    form = OrganizationForm
    list_display = (
        "name",
        "slug",
        "account_id",
        "parent",
        "api_credentials_enabled",
        "api_key_policy",
        "member_count",
        "credential_count",
        "created_at",
    )
    list_select_related = ("parent",)
    list_filter = ("api_credentials_enabled", "api_key_policy", ("parent", admin.EmptyFieldListFilter))
    # The debug session key is found only by an exact match: it is never listed or shown here.
    search_fields = ("name", "slug", "=account_id")
    search_help_text = "Name, slug, Account ID, or a debug session key (exact)."
    readonly_fields = ("account_id", "created_at")
    autocomplete_fields = ("parent",)
    inlines = (MembershipInline, ChildOrganizationInline)
    fieldsets = (
        (None, {"fields": ("name", "slug", "account_id", "account_domain", "parent", "created_at")}),
        ("Features", {"fields": ("api_credentials_enabled",)}),
        (
            "Access key expiry policy",
            {"fields": ("access_key_expiry_periods", "access_key_allow_no_expiry", "access_key_default_expiry")},
        ),
        ("Legacy API key policy", {"fields": ("api_key_policy", "api_key_sunset_at")}),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                member_total=Count("memberships", distinct=True),
                credential_total=Count("credentials", distinct=True),
            )
        )

    @admin.display(description="Members", ordering="member_total")
    def member_count(self, obj: Organization) -> int:
        return obj.member_total

    @admin.display(description="Credentials", ordering="credential_total")
    def credential_count(self, obj: Organization) -> int:
        return obj.credential_total

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            results = queryset.filter(Q(pk__in=results.values("pk")) | Q(debug_session_key=term))
        return results, may_have_duplicates

    def audit_organization(self, obj: Organization) -> Organization | None:
        return obj if obj.pk else None

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        admin.ModelAdmin.save_model(self, request, obj, form, change)
        if not change:
            self.record(request, "created", obj, changed=list(form.changed_data))
            return
        # Policies are recorded with their old and new values; other edits by field name.
        policy_changes = {
            name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
            for name in POLICY_FIELDS
            if name in form.changed_data
        }
        other_changes = [name for name in form.changed_data if name not in POLICY_FIELDS]
        if policy_changes:
            self.record(request, "policy_changed", obj, changes=policy_changes)
        if other_changes:
            self.record(request, "edited", obj, changed=other_changes)

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        # The organization's own events go with it; this one is kept, under its parent if it has one.
        audit.record(
            "organization.deleted",
            organization=obj.parent,
            actor=request.user,
            target=obj,
            request=request,
            via=VIA_ADMIN,
            slug=obj.slug,
            account_id=obj.account_id,
        )
        obj.delete()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        instances = formset.save()
        kind = "membership" if formset.model is Membership else "organization"
        for obj in instances:
            created = obj in formset.new_objects
            changed = next((fields for o, fields in formset.changed_objects if o == obj), [])
            audit.record(
                f"{kind}.{'created' if created else 'edited'}",
                # A child organization's own log shows what was changed about it.
                organization=obj if kind == "organization" else form.instance,
                actor=request.user,
                target=obj,
                request=request,
                via=VIA_ADMIN,
                changed=list(changed),
            )
        for obj in formset.deleted_objects:
            audit.record(
                f"{kind}.deleted",
                organization=form.instance,
                actor=request.user,
                target=obj,
                request=request,
                via=VIA_ADMIN,
            )


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    audit_name = "membership"
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organization__name", "organization__slug")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")


# Credentials: metadata only ---------------------------------------------------------------------


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
class CredentialAdmin(AuditedAdmin):
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
    # credential form (with the secrets in hand) can guarantee.
    readonly_fields = (
        "organization",
        "connector",
        "auth_type",
        "auth_settings",
        "org_specific",
        "created_by",
        "created_at",
        "updated_by",
        "updated_at",
        "last_used_at",
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
class OrganizationCredentialAdmin(AuditedAdmin):
    audit_name = "organization_credential"
    list_display = ("credential", "organization", "credential_organization")
    search_fields = ("credential__name", "organization__name", "organization__slug", "credential__organization__slug")
    list_select_related = ("credential__organization", "organization")
    fields = ("credential", "organization")
    readonly_fields = ("credential", "organization")

    @admin.display(description="Credential's organization")
    def credential_organization(self, obj: OrganizationCredential) -> Organization:
        return obj.credential.organization

    def audit_organization(self, obj: OrganizationCredential) -> Organization:
        return obj.credential.organization

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).defer("secrets")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Connections and keys ---------------------------------------------------------------------------


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
class ConnectionAdmin(AuditedAdmin):
    audit_name = "connection"
    list_display = ("name", "organization", "kind", "connector", "credential", "access_key", "status", "updated_at")
    list_filter = ("kind", "status", "connector")
    search_fields = ("name", "organization__name", "organization__slug", "credential__name", "access_key__key_id")
    list_select_related = ("organization", "credential", "access_key")
    raw_id_fields = ("credential", "access_key")
    readonly_fields = ("created_at", "updated_at")
    form = ConnectionForm


class AccessKeyStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        now = timezone.now()
        match self.value():
            case "active":
                unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=now)
                return queryset.filter(unexpired, revoked_at__isnull=True)
            case "expired":
                return queryset.filter(revoked_at__isnull=True, expires_at__lte=now)
            case "revoked":
                return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(AccessKey)
class AccessKeyAdmin(AuditedAdmin):
    audit_name = "access_key"
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
    list_filter = (AccessKeyStatusFilter, "system_generated", "role")
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
        "revoked_at",
    )
    readonly_fields = (
        "organization",
        "key_id",
        "owner",
        "system_generated",
        "created_at",
        "last_used_at",
        "last_used_ip",
        "revoked_at",
    )
    actions = ("revoke_selected_keys",)

    @admin.display(description="Status")
    def status(self, obj: AccessKey) -> str:
        if obj.revoked_at is not None:
            return "Revoked"
        if obj.expires_at is not None and obj.expires_at <= timezone.now():
            return "Expired"
        return "Active"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a secret is shown once at creation: use the API authentication page or create_system_key

    @admin.action(description="Revoke selected keys", permissions=["change"])
    def revoke_selected_keys(self, request: HttpRequest, queryset: QuerySet) -> None:
        revoked = connections = 0
        for access_key in queryset:
            if access_key.revoked_at is not None:
                continue
            connections += len(
                revocation.revoke_access_key(access_key, actor=request.user, request=request, via=VIA_ADMIN)
            )
            revoked += 1
        self.message_user(
            request,
            f"Revoked {revoked} access key{'s' if revoked != 1 else ''} and "
            f"{connections} connection{'s' if connections != 1 else ''}.",
            messages.SUCCESS,
        )

    def delete_model(self, request: HttpRequest, obj: AccessKey) -> None:
        revocation.delete_access_key(obj, actor=request.user, request=request)


@admin.register(APIKey)
class APIKeyAdmin(AuditedAdmin):
    audit_name = "api_key"
    list_display = ("name", "prefix", "organization", "created_by", "created_at", "last_used_at")
    search_fields = ("name", "=prefix", "organization__name", "organization__slug")
    list_select_related = ("organization", "created_by")
    # `secret_hash` is left out: it is never shown or editable.
    fields = ("organization", "name", "prefix", "created_by", "created_at", "last_used_at")
    readonly_fields = ("organization", "prefix", "created_by", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a key is shown once at creation, in the organization's API authentication page


# The audit log: read-only -----------------------------------------------------------------------


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


# Users: Django's own admin, without even the masked fragment of the password hash ----------------


class PasswordStatusWidget(ReadOnlyPasswordHashWidget):
    """Says whether a password is set and links to the reset form; shows no part of the hash."""

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        context["summary"] = [{"label": "Password set." if usable else "No password set."}]
        return context


class CredhubUserChangeForm(UserChangeForm):
    password = ReadOnlyPasswordHashField(label="Password", widget=PasswordStatusWidget)


admin.site.unregister(User)


@admin.register(User)
class CredhubUserAdmin(UserAdmin):
    form = CredhubUserChangeForm
