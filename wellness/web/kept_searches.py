"""Searches for people kept in the session rather than in the page's address: a patient's name
or e-mail typed into a search box must not stand in a URL (browser histories, access logs)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.datastructures import FormMultiDict

from wellness.lib.text import one_line


async def keep_posted_search(
    request: Request[Any, Any, Any], key: str, limit: int
) -> FormMultiDict:
    """Keep the search the posted form's `q` holds under `key` (dropped when the form's `clear`
    button sent it, or when it is empty); answers the form for whatever else it carries."""
    form = await request.form()
    typed = "" if form.get("clear") else one_line(str(form.get("q", "")))[:limit]
    if typed:
        request.session[key] = typed
    else:
        request.session.pop(key, None)
    return form


def kept_search(request: Request[Any, Any, Any], key: str) -> str:
    """The search kept under `key` ("" when there is none)."""
    kept = request.session.get(key, "")
    return kept if isinstance(kept, str) else ""
