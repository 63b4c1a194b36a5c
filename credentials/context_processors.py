from __future__ import annotations

from django.http import HttpRequest

from credentials.models import Membership


def navigation(request: HttpRequest) -> dict:
    """The signed-in user's organizations, for the organization switcher in the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
    return {"nav_memberships": memberships}
