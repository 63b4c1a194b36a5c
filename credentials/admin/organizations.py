"""Organizations, their child organizations and their members, in the admin."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest

from credentials import expiry
from credentials.actions import organizations as actions
from credentials.admin.base import VIA_ADMIN, ActionAdmin
from credentials.models import Membership, Organization


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
        choices=expiry.PERIOD_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The periods an Organization Admin may choose when creating an access key.",
    )

    class Meta:
        model = Organization
        fields = ("name", "slug", "account_domain", "parent", *actions.POLICY_FIELDS)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        periods, allow = data.get("access_key_expiry_periods") or [], data.get("access_key_allow_no_expiry", False)
        if problem := expiry.periods_problem(periods, allow):
            self.add_error("access_key_expiry_periods", problem)
        default = data.get("access_key_default_expiry")
        if "access_key_default_expiry" in data and (problem := expiry.default_problem(periods, allow, default)):
            self.add_error("access_key_default_expiry", problem)
        if data.get("api_key_policy") == Organization.APIKeyPolicy.DEPRECATED and not data.get("api_key_sunset_at"):
            self.add_error("api_key_sunset_at", "A deprecated policy needs the sunset date shown to admins.")
        return data


def changes_in(form: forms.ModelForm) -> dict[str, tuple[Any, Any]]:
    """Each field the validated ``form`` changed, with its (old, new) value."""
    return {name: (form.initial.get(name), form.cleaned_data.get(name)) for name in form.changed_data}


@admin.register(Organization)
class OrganizationAdmin(ActionAdmin):
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
            {
                "fields": (
                    "access_key_expiry_periods",
                    "access_key_allow_no_expiry",
                    "access_key_default_expiry",
                    "access_key_max_lifetime",
                    "access_key_max_lifetime_grace_until",
                )
            },
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

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        if change:
            actions.do_edit_organization(obj, changes_in(form), actor=request.user, request=request, via=VIA_ADMIN)
        else:
            actions.do_create_organization(
                obj, actor=request.user, request=request, via=VIA_ADMIN, changed=list(form.changed_data)
            )

    def delete_model(self, request: HttpRequest, obj: Organization) -> None:
        actions.do_delete_organization(obj, actor=request.user, request=request, via=VIA_ADMIN)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        formset.save(commit=False)
        organization, who = form.instance, {"actor": request.user, "request": request, "via": VIA_ADMIN}
        if formset.model is Membership:
            for membership in formset.deleted_objects:
                actions.do_remove_member(organization, membership, **who)
            for membership in formset.new_objects:
                actions.do_add_member(organization, membership, **who)
            for membership, changed in formset.changed_objects:
                actions.do_change_member(organization, membership, changed, **who)
            return
        # Child organizations: each one's own log shows what was changed about it.
        for child in formset.deleted_objects:
            actions.do_delete_organization(child, **who)
        for child in formset.new_objects:
            actions.do_create_organization(child, **who)
        inline_forms = {inline.instance.pk: inline for inline in formset.forms}
        for child, _ in formset.changed_objects:
            actions.do_edit_organization(child, changes_in(inline_forms[child.pk]), **who)


@admin.register(Membership)
class MembershipAdmin(ActionAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__email", "organization__name", "organization__slug")
    autocomplete_fields = ("user", "organization")
    list_select_related = ("user", "organization")

    def save_model(self, request: HttpRequest, obj: Membership, form: Any, change: bool) -> None:
        who = {"actor": request.user, "request": request, "via": VIA_ADMIN}
        if change:
            actions.do_change_member(obj.organization, obj, list(form.changed_data), **who)
        else:
            actions.do_add_member(obj.organization, obj, **who)

    def delete_model(self, request: HttpRequest, obj: Membership) -> None:
        actions.do_remove_member(obj.organization, obj, actor=request.user, request=request, via=VIA_ADMIN)
