"""Forms of Settings > API authentication: access keys (and rolling them), their expiry policy, and legacy
API keys.

They only validate: the changes are made by ``credentials/actions/``."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from credentials import allowed_addresses, expiry, keys
from credentials.models import AccessKey, Organization
from credentials.names import clean_name

NO_EXPIRY = "never"
NO_EXPIRY_LABEL = "No expiry"
OUTSIDE_POLICY = "Choose one of the expiry periods this organization offers."
ADDRESSES_HELP = (
    "One IPv4 or IPv6 address or CIDR range per line, such as 203.0.113.7 or 2001:db8::/32. "
    "Requests from anywhere else are refused. Leave empty to allow any address."
)


class AllowedAddressesField(forms.CharField):
    """One address or range per line; cleaned to the normalized list (every wrong entry named)."""

    widget = forms.Textarea

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label="Allowed addresses", required=False, help_text=ADDRESSES_HELP, **kwargs)

    def clean(self, value: Any) -> list[str]:
        return allowed_addresses.parse(super().clean(value) or "")


def expiry_choices(organization: Organization, *, within_maximum: bool = True) -> list[tuple[str, str]]:
    """The expiry periods the organization's policy offers, shortest first, then "No expiry" if allowed;
    only those within its maximum lifetime unless ``within_maximum`` is False."""
    choices = [(str(days), expiry.period_label(days)) for days in expiry.offered_periods(organization)]
    if organization.access_key_allow_no_expiry:
        choices.append((NO_EXPIRY, NO_EXPIRY_LABEL))
    if within_maximum:
        choices = [(value, label) for value, label in choices if expiry.within_maximum(organization, _days(value))]
    return choices


def _days(value: str) -> int | None:
    return None if value == NO_EXPIRY else int(value)


def default_expiry(organization: Organization) -> str:
    """The policy's default period as a choice value, if it is still offered."""
    value = str(organization.access_key_default_expiry) if organization.access_key_default_expiry else NO_EXPIRY
    offered = [value for value, _ in expiry_choices(organization)]
    return value if value in offered else (offered[0] if offered else "")


class AccessKeyForm(forms.Form):
    """The "Create access key" overlay: a name, an expiry period offered by the policy, and the addresses
    the key may be used from."""

    name = forms.CharField(label="Name", max_length=100)
    expiry = forms.ChoiceField(label="Expiry period", error_messages={"invalid_choice": OUTSIDE_POLICY})
    allowed_addresses = AllowedAddressesField()

    def __init__(self, organization: Organization, data: Any = None) -> None:
        self.organization = organization
        super().__init__(data, initial={"expiry": default_expiry(organization)}, auto_id="id_access_key_%s")
        # Every period of the policy is valid input, so that one over the maximum gets its own message;
        # the menu (menu_choices) offers only those within it.
        self.fields["expiry"].choices = expiry_choices(organization, within_maximum=False)
        self.menu_choices = expiry_choices(organization)

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_expiry(self) -> str:
        value = self.cleaned_data["expiry"]
        if problem := expiry.lifetime_problem(self.organization, _days(value)):
            raise forms.ValidationError(problem)
        return value

    def expires_at(self, now: datetime | None = None) -> datetime | None:
        value = self.cleaned_data["expiry"]
        return expiry.expires_at(_days(value), now or timezone.now())


class AllowedAddressesForm(forms.Form):
    """More options › Edit allowed addresses."""

    allowed_addresses = AllowedAddressesField()

    def __init__(self, access_key: AccessKey, data: Any = None) -> None:
        self.access_key = access_key
        initial = {"allowed_addresses": "\n".join(access_key.allowed_addresses or [])}
        super().__init__(data, initial=initial, auto_id=f"id_addresses_{access_key.pk}_%s")


class RenameAccessKeyForm(forms.Form):
    name = forms.CharField(label="Name", max_length=100)

    def __init__(self, access_key: AccessKey, data: Any = None) -> None:
        self.access_key = access_key
        super().__init__(data, initial={"name": access_key.name}, auto_id=f"id_rename_{access_key.pk}_%s")

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])


class ExpiryPolicyForm(forms.Form):
    """Which expiry periods the organization offers, whether "No expiry" is allowed, and the default."""

    periods = forms.TypedMultipleChoiceField(
        label="Expiry periods offered",
        choices=[(str(days), label) for days, label in expiry.PERIOD_CHOICES],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_no_expiry = forms.BooleanField(label="Allow “No expiry”", required=False)
    default = forms.ChoiceField(
        label="Default expiry period",
        choices=[(str(days), label) for days, label in expiry.PERIOD_CHOICES] + [(NO_EXPIRY, NO_EXPIRY_LABEL)],
    )
    max_lifetime = forms.IntegerField(
        label="Maximum lifetime (days)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Keys created afterwards cannot last longer. Leave empty for no maximum.",
    )
    max_lifetime_grace_until = forms.DateField(
        label="Keys over it stop working on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Keys that already last longer keep working until this date (UTC), then are refused. "
        "Leave empty to refuse them at once.",
    )

    def __init__(self, organization: Organization, data: Any = None) -> None:
        self.organization = organization
        grace = organization.access_key_max_lifetime_grace_until
        initial = {
            "periods": [str(days) for days in organization.access_key_expiry_periods or []],
            "allow_no_expiry": organization.access_key_allow_no_expiry,
            "default": default_expiry(organization) or NO_EXPIRY,
            "max_lifetime": organization.access_key_max_lifetime,
            "max_lifetime_grace_until": grace.date()
            if (grace := organization.access_key_max_lifetime_grace_until)
            else None,
        }
        super().__init__(data, initial=initial, auto_id="id_expiry_%s")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        periods, allow = cleaned.get("periods") or [], cleaned.get("allow_no_expiry", False)
        if problem := expiry.periods_problem(periods, allow):
            self.add_error("periods", problem)
        if "default" in cleaned and (problem := expiry.default_problem(periods, allow, self.default_days)):
            self.add_error("default", problem)
        elif "default" in cleaned and "max_lifetime" in cleaned:
            maximum = cleaned["max_lifetime"]
            for field, problem in expiry.maximum_problems(periods, allow, self.default_days, maximum).items():
                self.add_error(field, problem)
        return cleaned

    @property
    def grace_until(self) -> datetime | None:
        """The grace date as the moment it begins (UTC); None without a maximum or a date."""
        day = self.cleaned_data.get("max_lifetime_grace_until")
        if day is None or not self.cleaned_data.get("max_lifetime"):
            return None
        return datetime.combine(day, time(0, 0), tzinfo=UTC)

    @property
    def default_days(self) -> int | None:
        """The validated default as days; None means no expiry."""
        default = self.cleaned_data["default"]
        return None if default == NO_EXPIRY else int(default)


class APIKeyForm(forms.Form):
    name = forms.CharField(label="API key name", max_length=100)

    def __init__(self, data: Any = None) -> None:
        super().__init__(data, auto_id="id_api_key_%s")

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])


def api_keys_can_be_generated(organization: Organization) -> bool:
    return organization.api_key_policy == Organization.APIKeyPolicy.ENABLED


class RollKeyForm(forms.Form):
    """The "Roll key" overlay: when the current secret stops working once the new one is issued."""

    grace = forms.ChoiceField(
        label="Current secret stops working",
        choices=[(value, label) for value, (label, _) in keys.ROLL_GRACE_PERIODS.items()],
        initial="24h",
        error_messages={"invalid_choice": "Choose when the current secret stops working."},
    )

    def __init__(self, access_key: AccessKey, now: datetime, data: Any = None) -> None:
        self.access_key, self.now = access_key, now
        super().__init__(data, auto_id="id_roll_%s")

    def clean(self) -> dict[str, Any]:
        if refusal := keys.roll_refusal(self.access_key, self.now):
            raise forms.ValidationError(refusal)
        return super().clean()

    def grace_period(self) -> timedelta:
        return keys.ROLL_GRACE_PERIODS[self.cleaned_data["grace"]][1]
