"""Settings > Audit log: the organization's audit events, filterable by action and actor."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from credentials import audit, gate
from credentials.gate import organization_admin
from credentials.models import Organization

PAGE_SIZE = 50
TEMPLATE = "audit/audit_log.html"


@organization_admin()
@require_GET
def audit_log(request: HttpRequest, organization: Organization) -> HttpResponse:
    events = gate.audit_events_for(organization)
    # The filters offer what this organization's log holds, so a choice never gives an empty page.
    # (order_by() drops the default ordering, which would otherwise take part in DISTINCT.)
    actions = sorted(events.order_by().values_list("action", flat=True).distinct())
    actors = sorted(events.order_by().values_list("actor", flat=True).distinct(), key=str.lower)
    action = request.GET.get("action", "")
    actor = request.GET.get("actor", "")
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor=actor)
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = {key: value for key, value in (("action", action), ("actor", actor)) if value}
    context = {
        "organization": organization,
        "page": page,
        "events": [(event, audit.describe(event.action), _details(event.details)) for event in page.object_list],
        "action_choices": [(code, audit.describe(code)) for code in actions],
        "actor_choices": actors,
        "selected_action": action,
        "selected_actor": actor,
        "filter_query": urlencode(query),
    }
    template = f"{TEMPLATE}#results" if request.htmx and not request.htmx.boosted else TEMPLATE
    return render(request, template, context)


# Words that read better in capitals in a details label ("api_key_policy" → "API key policy").
ACRONYMS = {"api": "API", "id": "ID", "url": "URL", "ip": "IP", "aws": "AWS", "hmac": "HMAC"}


def _label(key: str) -> str:
    words = [ACRONYMS.get(word, word) for word in key.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]]) if words else key


def _words(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_words(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{_label(key)}: {_words(item)}" for key, item in value.items())
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _details(details: Any) -> list[tuple[str, str]]:
    """An event's details as (label, text) pairs; a change [old, new] reads "old → new"."""
    if not isinstance(details, dict):
        return []
    rows = []
    for key, value in details.items():
        if value in (None, "", [], {}):
            continue
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, list) and len(change) == 2:
                    rows.append((_label(field), f"{_words(change[0])} → {_words(change[1])}"))
            continue
        rows.append((_label(key), _words(value)))
    return rows
