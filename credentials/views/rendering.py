"""How every view answers: the page or its partial, and "swap this fragment and close the overlay".

An htmx request gets the partial it swaps; a plain request (no JavaScript) gets the whole page or a
redirect. The server, never the client, chooses which partial is rendered.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget, trigger_client_event

# The event on which static/credhub/dialogs.js closes any open overlay (and returns focus where it belongs).
CLOSE_DIALOG = "credhub:close-dialog"


def render_page_or_partial(
    request: HttpRequest, template: str, context: dict[str, Any], partial: str, *, status: int = 200
) -> HttpResponse:
    """The partial ``template#partial`` for htmx, the whole page otherwise (with ``status``: htmx swaps
    only 2xx answers, so a form with errors is a 200 there and a 422 for a plain request)."""
    if request.htmx:
        return render(request, f"{template}#{partial}", context)
    return render(request, template, context, status=status)


def swap_and_close(response: HttpResponse, target: str, *, after: str = "receive") -> HttpResponse:
    """Make htmx put ``response`` in place of the element ``#target`` and then close the overlay.

    ``after="settle"`` closes it once the swap has settled, so focus can move into the new content.
    """
    response = reswap(retarget(response, f"#{target}"), "outerHTML")
    return trigger_client_event(response, CLOSE_DIALOG, after=after)


def changed(request: HttpRequest, page_url: str, template: str, context: dict[str, Any], partial: str) -> HttpResponse:
    """After a change made from an overlay: htmx swaps the ``partial`` (whose element has that id) and
    closes the overlay; a plain request is redirected to ``page_url`` (post/redirect/get)."""
    if not request.htmx:
        return redirect(page_url)
    return swap_and_close(render(request, f"{template}#{partial}", context), partial)
