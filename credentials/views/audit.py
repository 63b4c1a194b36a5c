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
    actions = sorted(set(events.values_list("action", flat=True).distinct()))
    actors = sorted(set(events.values_list("actor", flat=True).distinct()), key=str.lower)
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
        "settings_page": "audit_log",
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


def _words(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(_words(item) for item in value) or "none"
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {_words(item)}" for key, item in value.items())
    if value is None or value == "":
        return "none"
    return str(value)


def _details(details: Any) -> list[tuple[str, str]]:
    """An event's details as (label, text) pairs; a change [old, new] reads "old → new"."""
    if not isinstance(details, dict):
        return []
    rows = []
    for key, value in details.items():
        if key == "changes" and isinstance(value, dict):
            for field, change in value.items():
                if isinstance(change, list) and len(change) == 2:
                    rows.append((field.replace("_", " ").capitalize(), f"{_words(change[0])} → {_words(change[1])}"))
            continue
        rows.append((key.replace("_", " ").capitalize(), _words(value)))
    return rows
