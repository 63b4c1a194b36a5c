"""Pages outside an organization's settings: home and the health check."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from credentials.models import Membership


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; the icon itself is a static file.

    Resolved per request: with the manifest storage, the hashed name exists only after collectstatic.
    """
    return redirect(static("favicon.svg"), permanent=True)


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


# The demo's "Local echo" credential sends this token, so Test connection succeeds without a network.
DEMO_ECHO_TOKEN = "credhub-demo-echo-token"


@csrf_exempt  # a stand-in for another company's API: it keeps no state and takes no session
def demo_echo(request: HttpRequest, rest: str = "") -> HttpResponse:
    """An upstream for the demo, served only under DEBUG: answers 200 to the demo token, else 401.

    Any method and any path below /demo/echo/, so that a call through the credential proxy works offline
    too. It echoes the method, path, query and header names it received and the body's size, never a
    header's value or the body.
    """
    if not settings.DEBUG:
        raise Http404
    if request.headers.get("Authorization") != f"Bearer {DEMO_ECHO_TOKEN}":
        return JsonResponse({"detail": "Send Authorization: Bearer <the demo token>."}, status=401)
    echoed = {
        "method": request.method,
        "path": request.path,
        "query": request.META.get("QUERY_STRING", ""),
        "headers": sorted(request.headers),
        "body_bytes": len(request.body),
    }
    return JsonResponse(echoed)
