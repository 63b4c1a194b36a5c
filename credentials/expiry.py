"""The access key expiry policy's rules, the same in Settings > API authentication and in the admin."""

from __future__ import annotations

from datetime import datetime, timedelta

from credentials.models import Organization
from credentials.models.organizations import EXPIRY_PERIODS

NO_PERIOD = "Offer at least one expiry period, or allow “No expiry”."
NO_EXPIRY_NOT_ALLOWED = "Allow “No expiry” to make it the default, or choose an offered period."
DEFAULT_NOT_OFFERED = "Choose a default among the periods offered."


def period_label(days: int) -> str:
    return f"{days} days"


PERIOD_CHOICES = [(days, period_label(days)) for days in EXPIRY_PERIODS]


def periods_problem(periods: list[int], allow_no_expiry: bool) -> str | None:
    """Why the periods offered make no policy (none, and "No expiry" not allowed), or None."""
    return NO_PERIOD if not periods and not allow_no_expiry else None


def default_problem(periods: list[int], allow_no_expiry: bool, default_days: int | None) -> str | None:
    """Why ``default_days`` (None: no expiry) cannot be the policy's default, or None."""
    if default_days is None:
        return None if allow_no_expiry else NO_EXPIRY_NOT_ALLOWED
    return None if default_days in periods else DEFAULT_NOT_OFFERED


def offered_periods(organization: Organization) -> list[int]:
    """The periods the organization offers, shortest first (a stored period credhub no longer knows is left out)."""
    return sorted(int(days) for days in organization.access_key_expiry_periods or [] if int(days) in EXPIRY_PERIODS)


def expires_at(days: int | None, now: datetime) -> datetime | None:
    """When a key created ``now`` with a period of ``days`` (None: no expiry) expires."""
    return None if days is None else now + timedelta(days=days)


# Keys that expire within this time are announced on Settings > API authentication (GitHub and GitLab
# warn 7 days before a token expires).
WARNING_WINDOW = timedelta(days=7)


def expires_soon(expires_at: datetime | None, now: datetime) -> bool:
    """True if a key that expires at ``expires_at`` has not expired yet but will within the warning window."""
    return expires_at is not None and now < expires_at <= now + WARNING_WINDOW


def time_left(expires_at: datetime, now: datetime) -> str:
    """How long until ``expires_at``, as a key's row says it: "3 days", "1 day", then "23 h", "45 min"."""
    seconds = int((expires_at - now).total_seconds())
    if seconds >= 86400:
        days = seconds // 86400
        return f"{days} day{'s' if days != 1 else ''}"
    if seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{seconds // 60} min" if seconds >= 60 else "under 1 min"


# The organization's maximum lifetime (GitHub's organization token policy) -----------------------

OVER_MAXIMUM = "This organization's access keys may last at most {days} days: choose a shorter expiry period."
NO_EXPIRY_OVER_MAXIMUM = "This organization's access keys may last at most {days} days: choose an expiry period."
OVER_MAXIMUM_REFUSED = (
    "This access key lasts longer than the organization's maximum lifetime of {days} days and is no longer "
    "accepted. Create a new key that expires within {days} days."
)
# A key's recorded creation comes a moment after the expiry it was given was computed; never count that.
LIFETIME_TOLERANCE = timedelta(minutes=5)


DEFAULT_OVER_MAXIMUM = "The default expiry period is longer than the maximum lifetime of {days} days."
NO_EXPIRY_DEFAULT_OVER_MAXIMUM = "“No expiry” cannot be the default while keys have a maximum lifetime."
NOTHING_WITHIN_MAXIMUM = "Offer at least one expiry period within the maximum lifetime of {days} days."


def maximum_problems(
    periods: list[int], allow_no_expiry: bool, default_days: int | None, maximum: int | None
) -> dict[str, str]:
    """Why a policy with this maximum lifetime would leave Create access key nothing, or a default it
    refuses, by the field to mark ("default", "periods"); empty if none."""
    if not maximum:
        return {}
    problems = {}
    if not any(days <= maximum for days in periods):
        problems["periods"] = NOTHING_WITHIN_MAXIMUM.format(days=maximum)
    if default_days is None:
        problems["default"] = NO_EXPIRY_DEFAULT_OVER_MAXIMUM
    elif default_days > maximum:
        problems["default"] = DEFAULT_OVER_MAXIMUM.format(days=maximum)
    return problems


def within_maximum(organization: Organization, days: int | None) -> bool:
    """Whether a new key of ``days`` (None: no expiry) keeps within the organization's maximum lifetime."""
    return lifetime_problem(organization, days) is None


def lifetime_problem(organization: Organization, days: int | None) -> str | None:
    """Why a new key of ``days`` (None: no expiry) would exceed the organization's maximum, or None."""
    maximum = organization.access_key_max_lifetime
    if not maximum:
        return None
    if days is None:
        return NO_EXPIRY_OVER_MAXIMUM.format(days=maximum)
    return OVER_MAXIMUM.format(days=maximum) if days > maximum else None


def expiry_problem(organization: Organization, expires_at: datetime | None, now: datetime) -> str | None:
    """Why a new key expiring at ``expires_at`` (None: never) would exceed the maximum lifetime, or None."""
    maximum = organization.access_key_max_lifetime
    if not maximum:
        return None
    if expires_at is None:
        return NO_EXPIRY_OVER_MAXIMUM.format(days=maximum)
    too_long = expires_at - now > timedelta(days=maximum) + LIFETIME_TOLERANCE
    return OVER_MAXIMUM.format(days=maximum) if too_long else None


def over_max_lifetime(access_key, organization: Organization) -> bool:
    """True if the key (created before the maximum, or edited since) may live longer than the maximum."""
    maximum = organization.access_key_max_lifetime
    if not maximum:
        return False
    if access_key.expires_at is None:
        return True
    return access_key.expires_at - access_key.created_at > timedelta(days=maximum) + LIFETIME_TOLERANCE


def lifetime_refusal(access_key, organization: Organization, now: datetime) -> str | None:
    """Why the key is refused for exceeding the maximum lifetime (its grace date passed, or none was
    set), or None while it works."""
    if not over_max_lifetime(access_key, organization):
        return None
    grace_until = organization.access_key_max_lifetime_grace_until
    if grace_until is not None and grace_until > now:
        return None
    return OVER_MAXIMUM_REFUSED.format(days=organization.access_key_max_lifetime)


OVER_MAXIMUM_NOTE = "Over the organization's maximum lifetime"


def max_lifetime_note(access_key, organization: Organization, now: datetime) -> str:
    """How a key's row says it exceeds the maximum lifetime, and since or until when it works; or ""."""
    if not over_max_lifetime(access_key, organization):
        return ""
    if lifetime_refusal(access_key, organization, now) is None:  # within the grace date
        return f"{OVER_MAXIMUM_NOTE}: stops working on {organization.access_key_max_lifetime_grace_until:%-d %B %Y}"
    return f"{OVER_MAXIMUM_NOTE}: refused"
