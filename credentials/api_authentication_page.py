"""The Settings > API authentication page as its views render it: the context of the whole page (the access
key list's page, search and filter, the expiry banner) and the API key confirmation. Both view modules of
the page (``views/api_authentication.py`` and ``views/key_lifecycle.py``) use it, so neither imports the other.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

from django.db.models import Q
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from credentials import credential_permissions, expiry, gate, keys, paging
from credentials.forms.access_keys import APIKeyForm, ExpiryPolicyForm, api_keys_can_be_generated
from credentials.models import APIKey, Organization
from credentials.views.rendering import render_page_or_partial

TEMPLATE = "api_authentication/api_authentication.html"
ACCESS_KEYS_PAGE_SIZE = 20
# The list's order (system-generated first when shown), along the access_key_list_order index.
ACCESS_KEY_ORDERING = [("system_generated", True), ("name", False), ("created_at", False), ("id", False)]


def _list_params(request: HttpRequest) -> QueryDict:
    """The access key list's search, filter and page: this GET's, or (for an htmx action) the page URL's."""
    if request.method == "GET":  # the filter form itself, a page link, or a reload of the page's URL
        return request.GET
    if request.htmx and request.htmx.current_url:
        return QueryDict(urlsplit(request.htmx.current_url).query)
    return QueryDict()


def _access_key_page(organization: Organization, params: QueryDict) -> paging.Page:
    show_system = params.get("system") == "1"
    search = " ".join(params.get("q", "").split())[:100]
    access_keys = gate.access_keys_for(organization).select_related("owner")
    if not show_system:
        access_keys = access_keys.filter(system_generated=False)
    if search:
        access_keys = access_keys.filter(Q(name__icontains=search) | Q(key_id__icontains=search))
    filters = {"q": search, "system": "1" if show_system else ""}
    page = paging.keyset_page(
        access_keys, ACCESS_KEY_ORDERING, params, ACCESS_KEYS_PAGE_SIZE, filters, counted=not search
    )
    credential_permissions.attach_counts(page.rows)  # each row's "Uses 2 credentials", in one query
    return page


def _expiring_keys(request: HttpRequest, organization: Organization) -> list:
    """The signed-in admin's keys and the system-generated keys that still work but expire within the
    warning window, soonest first: the page's banner names them."""
    now = timezone.now()
    return list(
        gate.access_keys_for(organization)
        .filter(Q(owner=request.user) | Q(system_generated=True))
        .filter(revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + expiry.WARNING_WINDOW)
        .order_by("expires_at", "id")
    )


def page_url(organization: Organization) -> str:
    return reverse("api_authentication", args=[organization.slug])


def page_context(request: HttpRequest, organization: Organization, **extra) -> dict:
    params = _list_params(request)
    show_system = params.get("system") == "1"
    # Lazy: a view that renders one row only never reads the list, nor counts the hidden system keys.
    access_key_page = SimpleLazyObject(lambda: _access_key_page(organization, params))
    # A callable, counted once when the template first asks; bounded, as the list's own count is.
    hidden_system_keys = functools.cache(
        lambda: (
            paging.Count(0, more=False)
            if show_system
            else paging.bounded_count(gate.access_keys_for(organization).filter(system_generated=True))
        )
    )
    context = {
        "hidden_system_keys": hidden_system_keys,
        "organization": organization,
        "show_system": show_system,
        "search": " ".join(params.get("q", "").split())[:100],
        "access_key_page": access_key_page,
        "api_keys": gate.api_keys_for(organization),
        "api_keys_can_be_generated": api_keys_can_be_generated(organization),
        "api_keys_refusal": keys.api_key_refusal(organization, timezone.now()),
        "now": timezone.now(),
        "expiring_keys": SimpleLazyObject(lambda: _expiring_keys(request, organization)),
    }
    context.setdefault("expiry_form", ExpiryPolicyForm(organization))
    context.setdefault("api_key_form", APIKeyForm())
    context.update(extra)
    return context


def api_key_confirm(request: HttpRequest, organization: Organization, api_key: APIKey, action: str) -> HttpResponse:
    context = {"organization": organization, "api_key": api_key, "action": action}
    return render_page_or_partial(request, "api_authentication/api_key_confirm.html", context, "api-key-confirm")
