"""credhub's middleware: response headers Django has no setting for, django-csp's policy built once, and
the browser's middleware (session, signed-in user, messages) kept off the JSON API."""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import HEADER
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.contrib.auth.middleware import AuthenticationMiddleware
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse

# The JSON API's requests: authenticated by key headers alone (see credentials.api).
API_PATH = "/api/"


class SecurityHeadersMiddleware:
    """Permissions-Policy on every answer, and ``Cache-Control: no-store`` on every dynamic one.

    Every page credhub renders is private (settings, keys shown once, forms with typed secrets, the
    sign-in form); none may be kept by a shared cache or the browser's. Static files are answered
    by WhiteNoise before this runs, with their own long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.CREDHUB_PERMISSIONS_POLICY)
        if "Cache-Control" not in response.headers:
            response.headers["Cache-Control"] = "no-store"
        return response


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware with settings' policy built once per process, not on every response.

    credhub has one policy (``CONTENT_SECURITY_POLICY``) and no nonce or per-view policy; building the
    header's text anew took about a sixth of a small API request. A response that does carry a
    per-view policy, a request whose nonce was used, and DEBUG's error pages take django-csp's own path.
    """

    PER_RESPONSE = ("_csp_exempt", "_csp_config", "_csp_update", "_csp_replace")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self.policy = build_policy()
        # A report-only policy or excluded paths: django-csp decides each response itself.
        excluded = (getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}).get("EXCLUDE_URL_PREFIXES")
        self.same_for_all = not build_policy(report_only=True) and not excluded

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if (
            settings.DEBUG
            or not self.same_for_all
            or getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in self.PER_RESPONSE)
        ):
            return super().process_response(request, response)
        if HEADER not in response:
            response[HEADER] = self.policy
        return response


def browser_only(middleware: type) -> type:
    """``middleware`` for every request but the JSON API's, which never reads a session, a signed-in
    user or a message: opening the session and reading the user would cost a fifth of a call."""

    class BrowserOnly(middleware):
        def __call__(self, request: HttpRequest) -> HttpResponse:
            if request.path_info.startswith(API_PATH):
                return self.get_response(request)
            return super().__call__(request)

    BrowserOnly.__name__ = BrowserOnly.__qualname__ = f"Browser{middleware.__name__}"
    BrowserOnly.__doc__ = f"{middleware.__name__}, except on the JSON API."
    return BrowserOnly


BrowserSessionMiddleware = browser_only(SessionMiddleware)
BrowserAuthenticationMiddleware = browser_only(AuthenticationMiddleware)
BrowserMessageMiddleware = browser_only(MessageMiddleware)
