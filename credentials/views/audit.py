"""Settings > Audit log: the organization's audit events, filterable by action and actor."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
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


# Codes that details hold (test outcomes, connection kinds, policies) in the words the screens use.
VALUE_WORDS = {
    "success": "connected",
    "unauthorized": "refused the credential (401)",
    "forbidden": "not allowed (403)",
    "http_error": "answered with an error",
    "unreachable": "unreachable",
    "timeout": "timed out",
    "tls_error": "TLS error",
    "wrong_environment": "not tested: wrong environment",
    "refused_target": "not tested: address refused",
    "unreadable": "not tested: secrets unreadable",
    "organization_required": "not tested: organization missing",
    "no_base_url": "not tested: no Base URL",
    "invalid_url": "not tested: invalid Base URL",
    "error": "not sent",
    "source": "data source",
    "destination": "destination",
    "enabled": "enabled",
    "deprecated": "deprecated",
    "disabled": "disabled",
}


def _moment(value: str) -> str | None:
    """An ISO timestamp in the log's words ("1 Jan 2027, 14:35 UTC"), or None if it is not one."""
    if len(value) < 19 or value[4:5] != "-" or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(moment):
        moment = moment.astimezone(UTC)
    return f"{formats.date_format(moment, 'j M Y, H:i')} UTC"


def _outcomes(rows: list) -> str:
    """Test connection outcomes: "connected", or per organization "acme-east: connected; …"."""
    parts = []
    for row in rows:
        if not isinstance(row, dict):
            return _words(rows)
        words = VALUE_WORDS.get(row.get("outcome"), str(row.get("outcome")))
        parts.append(f"{row['organization']}: {words}" if row.get("organization") else words)
    return "; ".join(parts) or "none"


def _words(value: Any) -> str:
    if isinstance(value, str):
        return VALUE_WORDS.get(value) or _moment(value) or value or "none"
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
        rows.append((_label(key), _outcomes(value) if key == "outcomes" and isinstance(value, list) else _words(value)))
    return rows
