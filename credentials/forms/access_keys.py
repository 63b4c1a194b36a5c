"""Forms of Settings > API authentication: access keys, their expiry policy, and legacy API keys."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from credentials import audit
from credentials.models import AccessKey, Organization
from credentials.models.organizations import EXPIRY_PERIODS

NO_EXPIRY = "never"
NO_EXPIRY_LABEL = "No expiry"
OUTSIDE_POLICY = "Choose one of the expiry periods this organization offers."


def period_label(days: int) -> str:
    return f"{days} days"


def expiry_choices(organization: Organization) -> list[tuple[str, str]]:
    """The expiry periods the organization's policy offers, shortest first, then "No expiry" if allowed."""
    offered = sorted(int(days) for days in organization.access_key_expiry_periods or [] if int(days) in EXPIRY_PERIODS)
    choices = [(str(days), period_label(days)) for days in offered]
    if organization.access_key_allow_no_expiry:
        choices.append((NO_EXPIRY, NO_EXPIRY_LABEL))
    return choices


def default_expiry(organization: Organization) -> str:
    """The policy's default period as a choice value, if it is still offered."""
    value = str(organization.access_key_default_expiry) if organization.access_key_default_expiry else NO_EXPIRY
    offered = [value for value, _ in expiry_choices(organization)]
    return value if value in offered else (offered[0] if offered else "")


def _clean_name(value: str) -> str:
    name = " ".join(value.split())
    if not name:
        raise forms.ValidationError("This field is required.")
    return name


class AccessKeyForm(forms.Form):
    """The "Create access key" overlay: a name and an expiry period offered by the policy."""

    name = forms.CharField(label="Name", max_length=100)
    expiry = forms.ChoiceField(label="Expiry period", error_messages={"invalid_choice": OUTSIDE_POLICY})

    def __init__(self, organization: Organization, data: Any = None) -> None:
        self.organization = organization
        super().__init__(data, initial={"expiry": default_expiry(organization)}, auto_id="id_access_key_%s")
        self.fields["expiry"].choices = expiry_choices(organization)

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"])

    def expires_at(self, now: datetime | None = None) -> datetime | None:
        value = self.cleaned_data["expiry"]
        if value == NO_EXPIRY:
            return None
        return (now or timezone.now()) + timedelta(days=int(value))


class RenameAccessKeyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)

    def __init__(self, access_key: AccessKey, data: Any = None) -> None:
        self.access_key = access_key
        super().__init__(data, initial={"name": access_key.name}, auto_id=f"id_rename_{access_key.pk}_%s")

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"])

    def save(self, request: Any) -> AccessKey | None:
        if not self.is_valid():
            return None
        old_name = self.access_key.name
        self.access_key.name = self.cleaned_data["name"]
        self.access_key.save(update_fields=["name"])
        audit.record(
            "access_key.renamed",
            organization=self.access_key.organization,
            target=self.access_key,
            request=request,
            key_id=self.access_key.key_id,
            old_name=old_name,
        )
        return self.access_key


class ExpiryPolicyForm(forms.Form):
    """Which expiry periods the organization offers, whether "No expiry" is allowed, and the default."""

    periods = forms.TypedMultipleChoiceField(
        label="Expiry periods offered",
        choices=[(str(days), period_label(days)) for days in EXPIRY_PERIODS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_no_expiry = forms.BooleanField(label="Allow “No expiry”", required=False)
    default = forms.ChoiceField(
        label="Default expiry period",
        choices=[(str(days), period_label(days)) for days in EXPIRY_PERIODS] + [(NO_EXPIRY, NO_EXPIRY_LABEL)],
    )

    def __init__(self, organization: Organization, data: Any = None) -> None:
        self.organization = organization
        initial = {
            "periods": [str(days) for days in organization.access_key_expiry_periods or []],
            "allow_no_expiry": organization.access_key_allow_no_expiry,
            "default": default_expiry(organization) or NO_EXPIRY,
        }
        super().__init__(data, initial=initial, auto_id="id_expiry_%s")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        periods, allow = cleaned.get("periods") or [], cleaned.get("allow_no_expiry")
        if not periods and not allow:
            self.add_error("periods", "Offer at least one expiry period, or allow “No expiry”.")
        default = cleaned.get("default")
        if default == NO_EXPIRY and not allow:
            self.add_error("default", "Allow “No expiry” to make it the default, or choose an offered period.")
        elif default and default != NO_EXPIRY and int(default) not in periods:
            self.add_error("default", "Choose a default among the periods offered.")
        return cleaned

    def save(self, request: Any) -> bool:
        if not self.is_valid():
            return False
        organization = self.organization
        before = {
            "periods": organization.access_key_expiry_periods,
            "allow_no_expiry": organization.access_key_allow_no_expiry,
            "default": organization.access_key_default_expiry,
        }
        default = self.cleaned_data["default"]
        organization.access_key_expiry_periods = sorted(self.cleaned_data["periods"])
        organization.access_key_allow_no_expiry = self.cleaned_data["allow_no_expiry"]
        organization.access_key_default_expiry = None if default == NO_EXPIRY else int(default)
        organization.save(
            update_fields=["access_key_expiry_periods", "access_key_allow_no_expiry", "access_key_default_expiry"]
        )
        after = {
            "periods": organization.access_key_expiry_periods,
            "allow_no_expiry": organization.access_key_allow_no_expiry,
            "default": organization.access_key_default_expiry,
        }
        audit.record(
            "access_key_policy.changed",
            organization=organization,
            target=organization,
            request=request,
            before=before,
            after=after,
        )
        return True


class APIKeyForm(forms.Form):
    name = forms.CharField(label="API key name", max_length=100)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="id_api_key_%s")

    def clean_name(self) -> str:
        return _clean_name(self.cleaned_data["name"])


def api_keys_can_be_generated(organization: Organization) -> bool:
    return organization.api_key_policy == Organization.APIKeyPolicy.ENABLED
