"""Settings > Audit log: the organization's audit events, filterable by action and actor."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from credentials import audit, gate, paging
from credentials.gate import organization_admin
from credentials.models import Organization

PAGE_SIZE = 50
TEMPLATE = "audit/audit_log.html"
# Newest first, along the (organization, at, id) indexes: every page is one short index read.
ORDERING = [("at", True), ("id", True)]


def _action_choices(selected: str) -> list[tuple[str, str]]:
    """Every action credhub records, in words, alphabetically; an unknown action from the URL kept too."""
    choices = sorted(audit.ACTION_WORDS.items(), key=lambda choice: choice[1])
    if selected and selected not in audit.ACTION_WORDS:
        choices.append((selected, audit.describe(selected)))
    return choices


def _actor_choices(organization: Organization, selected: str) -> list[str]:
    """The organization's members and the operator, never a scan of the log itself."""
    members = organization.memberships.select_related("user").order_by()
    actors = sorted({membership.user.get_username() for membership in members} | {audit.OPERATOR}, key=str.lower)
    if selected and selected not in actors:  # e.g. "access key CHAK…" from a link
        actors.append(selected)
    return actors


@organization_admin()
@require_GET
def audit_log(request: HttpRequest, organization: Organization) -> HttpResponse:
    events = gate.audit_events_for(organization)
    action = request.GET.get("action", "")[:64]
    actor = request.GET.get("actor", "")[:200]
    if action:
        events = events.filter(action=action)
    if actor:
        events = events.filter(actor=actor)
    page = paging.keyset_page(events, ORDERING, request.GET, PAGE_SIZE, {"action": action, "actor": actor})
    context = {
        "organization": organization,
        "page": page,
        "events": [(event, audit.describe(event.action), _details(event.details)) for event in page.rows],
        "action_choices": _action_choices(action),
        "actor_choices": _actor_choices(organization, actor),
        "selected_action": action,
        "selected_actor": actor,
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
