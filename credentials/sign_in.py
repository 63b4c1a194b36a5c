"""Sign-in throttling (django-axes): what credhub records when a username or an address gets locked out."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest

from credentials import audit
from credentials.models import Membership

LOCKED_OUT = "sign_in.locked_out"


class SignInThrottleBackend(AxesStandaloneBackend):
    """axes' check of a locked-out username or address, first among the authentication backends.

    A check without a request (``authenticate()`` from a command or a shell) is not a sign-in from
    anywhere: it is passed on to the password check instead of failing.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


@receiver(user_locked_out, dispatch_uid="credhub-audit-lockout")
def record_lockout(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """One audit event per lockout (not per refused attempt): in the log of each of the user's organizations.

    An unknown username gets one event without an organization, which the Django admin shows.
    """
    cool_off = int(settings.AXES_COOLOFF_TIME.total_seconds())
    # Refused attempts during a lockout send the signal again: record only a username and an address
    # that are both newly locked.
    new_username = cache.add(f"credhub:sign-in-lockout-recorded:user:{username}", 1, timeout=cool_off)
    new_address = cache.add(f"credhub:sign-in-lockout-recorded:address:{ip_address}", 1, timeout=cool_off)
    if not (new_username and new_address):
        return
    user = get_user_model().objects.filter(username=username).first() if username else None
    organizations = [m.organization for m in Membership.objects.filter(user=user).select_related("organization")]
    for organization in organizations or [None]:
        audit.record(
            LOCKED_OUT,
            organization=organization,
            actor=f"sign-in as {username or '(no username)'}"[:200],
            target=user,
            request=request,
            username=username or "",
            failure_limit=settings.AXES_FAILURE_LIMIT,
            minutes=cool_off // 60,
        )
