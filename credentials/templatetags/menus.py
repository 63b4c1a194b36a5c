"""A tile's or row's "More options" menu: its ⋯ button and the items that open a dialog.

Tags rather than included templates: a list renders them for every row, and an ``{% include %}`` costs a
new context and a template render each time. The menu's ``<ul>`` stays in the page's template, since each
menu's items differ.
"""

from __future__ import annotations

import uuid
from functools import lru_cache

from django import template
from django.urls import get_script_prefix
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from credentials.templatetags.credhub import row_url_parts

register = template.Library()


@register.simple_tag
def menu_button(menu_id: str, key: object, name: str, restore_focus: bool = False) -> SafeString:
    """The ⋯ button that opens the menu whose id is ``menu_id`` + ``key`` (an object's pk), labelled for
    ``name`` (the tile's or row's object); ``restore_focus`` puts focus back on it after a swap."""
    return format_html(
        '<button type="button" class="icon-button" aria-haspopup="menu" aria-expanded="false"'
        ' aria-controls="{}{}" aria-label="More options for {}"{}>⋯</button>',
        menu_id,
        key,
        name,
        mark_safe(" data-focus-after-swap") if restore_focus else "",
    )


@register.simple_tag
def row_dialog_item(
    view_name: str, org_slug: str, row_id: uuid.UUID | str, dialog: str, label: str, danger: bool = False
) -> SafeString:
    """An item that opens the row's ``view_name`` URL (see ``row_url``) in the ``dialog`` dialog, and is
    a plain link to it without JavaScript."""
    parts = _dialog_item_parts(view_name, org_slug, get_script_prefix(), dialog, label, danger)
    # A UUID's text is hex digits and hyphens: nothing to escape.
    return mark_safe(str(row_id if isinstance(row_id, uuid.UUID) else uuid.UUID(row_id)).join(parts))  # noqa: S308


# Five items on each row of a list: each is escaped once per view, organization and wording, and a row
# only puts its UUID in (about 10 µs an item, rather than 40).
_ROW_ID = "\x00"  # in no slug, URL or wording, so it marks only where the row's UUID goes


@lru_cache(maxsize=1024)
def _dialog_item_parts(
    view_name: str, org_slug: str, script_prefix: str, dialog: str, label: str, danger: bool
) -> tuple[str, ...]:
    before, after = row_url_parts(view_name, org_slug, script_prefix)
    html = format_html(
        '<li><a data-menuitem href="{}" hx-get="{}" hx-target="#{}-body" data-opens-dialog="{}"{}>{}</a></li>',
        before + _ROW_ID + after,
        before + _ROW_ID + after,
        dialog,
        dialog,
        mark_safe(' class="danger"') if danger else "",
        label,
    )
    return tuple(html.split(_ROW_ID))
