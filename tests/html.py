"""Reading returned HTML the way a user (or a screen reader) meets it: by id, label and description."""

from __future__ import annotations

from django.test.html import Element, parse_html


def _walk(element: Element):
    yield element
    for child in element.children:
        if isinstance(child, Element):
            yield from _walk(child)


def elements(html: str) -> list[Element]:
    return list(_walk(parse_html(html)))


def by_id(html: str, element_id: str) -> Element | None:
    for element in elements(html):
        if dict(element.attributes).get("id") == element_id:
            return element
    return None


def attribute(element: Element, name: str) -> str | None:
    return dict(element.attributes).get(name)


def text(element: Element) -> str:
    parts: list[str] = []
    for child in element.children:
        parts.append(text(child) if isinstance(child, Element) else str(child))
    return " ".join(" ".join(parts).split())


def field_errors(html: str, field_id: str) -> list[str]:
    """The error messages tied to a control by aria-describedby (empty if the control has none)."""
    control = by_id(html, field_id)
    assert control is not None, f"no control #{field_id}"
    described_by = (attribute(control, "aria-describedby") or "").split()
    messages = []
    for described in described_by:
        element = by_id(html, described)
        if element is not None and "field-error" in (attribute(element, "class") or ""):
            messages.append(text(element))
    if messages:
        assert attribute(control, "aria-invalid") == "true", f"#{field_id} has errors but is not aria-invalid"
    return messages


def value(html: str, field_id: str) -> str:
    """What a control shows: an input's value, a textarea's text, a select's chosen option."""
    control = by_id(html, field_id)
    assert control is not None, f"no control #{field_id}"
    if control.name == "textarea":
        return text(control)
    if control.name == "select":
        for option in _walk(control):
            if option.name == "option" and any(name == "selected" for name, _ in option.attributes):
                return attribute(option, "value") or ""
        return ""
    if attribute(control, "type") == "checkbox":
        return "on" if any(name == "checked" for name, _ in control.attributes) else ""
    return attribute(control, "value") or ""
