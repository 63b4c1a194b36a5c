from __future__ import annotations

from django.http import HttpRequest

from credentials.models import Membership

# The settings sidebar entry each settings URL belongs to, by the path segment after /settings/.
SETTINGS_ENTRIES = {
    "integrations": "integrations",
    "api-authentication": "api_authentication",
    "audit-log": "audit_log",
}


def navigation(request: HttpRequest) -> dict:
    """The signed-in user's organizations, for the organization switcher in the header, and the
    navigation entry of the page being shown, derived from its URL (so a new page needs no flag)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")
    return {"nav_memberships": memberships, **current_entry(request)}


def current_entry(request: HttpRequest) -> dict[str, str]:
    """``settings_page`` (the settings sidebar entry) or ``section`` (the header entry) of this page."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return {}
    # Routes read "o/<slug:org>/<section>/<page>/...".
    parts = match.route.split("/")
    if parts[:2] != ["o", "<slug:org>"] or len(parts) < 3:
        return {}
    if parts[2] == "settings":
        entry = SETTINGS_ENTRIES.get(parts[3] if len(parts) > 3 else "")
        return {"settings_page": entry} if entry else {}
    return {"section": parts[2]} if parts[2] == "connections" else {}
