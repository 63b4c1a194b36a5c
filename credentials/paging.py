"""Pages of a list screen that cost the same for 10 rows or 100,000.

Two kinds, both kept in the URL so that a page can be reloaded, bookmarked and reached without
JavaScript:

- :func:`keyset_page` (``?after=`` / ``?before=`` a position): for lists whose offsets grow deep (the
  audit log, access keys). It reads one page plus one row along an index, wherever the page is.
- :func:`numbered_page` (``?page=N``): for short lists a person pages through by number. It reads one
  page plus one row; no COUNT over the whole list.

Either way the number of rows is told by :func:`bounded_count`: exact up to ``COUNT_LIMIT``, else
"more than 1,000", so that counting never scans more than that. A search (``counted=False``) is told
from its page instead: a substring matches through no index, so counting its matches would read every
row, however few match. Its page says how many it shows, exactly when they are all there is.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.utils.http import urlencode

COUNT_LIMIT = 1000


@dataclass(frozen=True)
class Count:
    """How many rows match, exactly up to ``COUNT_LIMIT``."""

    value: int
    more: bool  # more than ``value`` match

    def __str__(self) -> str:
        return f"More than {self.value:,}" if self.more else f"{self.value:,}"

    @property
    def plural(self) -> bool:
        return self.more or self.value != 1


def bounded_count(queryset: QuerySet) -> Count:
    value = queryset.order_by()[: COUNT_LIMIT + 1].count()
    return Count(min(value, COUNT_LIMIT), value > COUNT_LIMIT)


@dataclass
class Page:
    """One page of rows and the query strings of its neighbours (None where there is none)."""

    rows: list
    count: Count
    filters: dict[str, str] = field(default_factory=dict)
    next_query: str | None = None
    previous_query: str | None = None
    first_query: str | None = None  # set when the previous page is not the first one
    number: int | None = None  # numbered pages only

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_query or self.previous_query)


def _query(filters: dict[str, str], **position: Any) -> str:
    return urlencode({**{k: v for k, v in filters.items() if v}, **position})


# Keyset pages ---------------------------------------------------------------------------------


def _token(row: Any, ordering: list[tuple[str, bool]]) -> str:
    values = []
    for name, _ in ordering:
        value = getattr(row, name)
        values.append(value.isoformat() if isinstance(value, datetime) else str(value) if value is not None else None)
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _position(token: str, model: type[models.Model], ordering: list[tuple[str, bool]]) -> list[Any] | None:
    """The values a token carries, or None when it is not one of ours (a tampered URL: first page)."""
    try:
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list) or len(values) != len(ordering):
            return None
        parsed = []
        for (name, _), value in zip(ordering, values):
            model_field = model._meta.get_field(name)
            if value is None or isinstance(value, bool | int | float | dict | list):
                return None
            if isinstance(model_field, models.DateTimeField):
                value = datetime.fromisoformat(value)
            elif isinstance(model_field, models.BooleanField):
                value = value == "True"
            else:
                value = model_field.to_python(value)
            parsed.append(value)
        return parsed
    except (ValueError, TypeError, ValidationError):  # bad base64, JSON, date or value all are ValueErrors
        return None


def _beyond(ordering: list[tuple[str, bool]], values: list[Any], forward: bool) -> Q:
    """Rows after ``values`` in ``ordering`` (before them when not ``forward``), nested as
    ``a > x OR (a = x AND (b > y OR (b = y AND …)))``: each column compared at most twice."""
    condition: Q | None = None
    for (name, descending), value in reversed(list(zip(ordering, values))):
        later = Q(**{f"{name}__{'lt' if descending == forward else 'gt'}": value})
        condition = later if condition is None else later | (Q(**{name: value}) & condition)
    assert condition is not None, "an ordering names at least one field"
    return condition


def keyset_page(
    queryset: QuerySet,
    ordering: list[tuple[str, bool]],
    params: Any,
    size: int,
    filters: dict[str, str] | None = None,
    counted: bool = True,
) -> Page:
    """The page ``params`` (a QueryDict) points at with ``after`` or ``before``; the first page otherwise.

    ``ordering`` lists (field, descending) and must end in a unique field, so that every row has one
    position; an index on it (after the list's filters) keeps every page one short index read.
    """
    filters = filters or {}
    forward_order = [f"-{name}" if descending else name for name, descending in ordering]
    backward_order = [name if descending else f"-{name}" for name, descending in ordering]
    model = queryset.model
    after = _position(params.get("after", ""), model, ordering) if params.get("after") else None
    before = _position(params.get("before", ""), model, ordering) if params.get("before") and after is None else None
    count = bounded_count(queryset) if counted else None
    if before is not None:
        rows = list(queryset.filter(_beyond(ordering, before, forward=False)).order_by(*backward_order)[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        page = Page(rows, count or Count(len(rows), more=True), filters)  # a search: earlier pages hold more
        if rows:
            page.next_query = _query(filters, after=_token(rows[-1], ordering))
            if more_before:
                page.previous_query = _query(filters, before=_token(rows[0], ordering))
                page.first_query = _query(filters)
        if not rows or not more_before:  # back at the start: show the first page itself
            return keyset_page(queryset, ordering, {}, size, filters, counted)
        return page
    if after is not None:
        queryset = queryset.filter(_beyond(ordering, after, forward=True))
    rows = list(queryset.order_by(*forward_order)[: size + 1])
    more_after = len(rows) > size
    rows = rows[:size]
    page = Page(rows, count or Count(len(rows), more=more_after or after is not None), filters)
    if more_after:
        page.next_query = _query(filters, after=_token(rows[-1], ordering))
    if after is not None and rows:
        page.previous_query = _query(filters, before=_token(rows[0], ordering))
        page.first_query = _query(filters)
    return page


# Numbered pages -------------------------------------------------------------------------------


def numbered_page(
    queryset: QuerySet, params: Any, size: int, filters: dict[str, str] | None = None, counted: bool = True
) -> Page:
    """The ``?page=N`` page of an ordered queryset: one page and one row read, no COUNT of the rest."""
    filters = filters or {}
    number = params.get("page", "1")
    number = int(number) if number.isdigit() and 0 < int(number) < 10**6 else 1
    start = (number - 1) * size
    rows = list(queryset[start : start + size + 1])
    if not rows and number > 1:  # beyond the end (rows were deleted): the first page
        return numbered_page(queryset, {}, size, filters, counted)
    count = bounded_count(queryset) if counted else Count(start + len(rows[:size]), more=len(rows) > size)
    page = Page(rows[:size], count, filters, number=number)
    if len(rows) > size:
        page.next_query = _query(filters, page=number + 1)
    if number > 1:
        page.previous_query = _query(filters, page=number - 1)
    return page
