"""Pages outside an organization's settings: home and the health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from credentials.models import Membership


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(Membership.objects.filter(user=request.user).select_related("organization"))
    if len(memberships) == 1 and memberships[0].is_admin:
        return redirect(reverse("settings", args=[memberships[0].organization.slug]))
    return render(request, "home.html", {"memberships": memberships})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database and the cache (failure counters, sign-in throttling) both answer, else 503.

    The answer names which part failed, never why: error texts can carry host names or credentials.
    """
    checks = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "not healthy", whatever the driver raises
        checks["database"] = "unavailable"
    try:
        cache.get("credhub:healthz")
    except Exception:  # the same for the cache backend (a missing table, Redis down)
        checks["cache"] = "unavailable"
    healthy = all(state == "ok" for state in checks.values())
    return JsonResponse({"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.html", status=403)
