"""What the menu of a page shows besides its links: beside "Caseload", how many open alerts the
therapist's patients have, so a new one is seen from whatever page they are on; beside "Drafts
to review", how many drafts no therapist has reviewed as they stand."""

from __future__ import annotations

from typing import Any

from litestar import Request

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.caseload import alerts as caseload_alerts
from wellness.db import tokens_read_once
from wellness.reviews import services as reviews

# Answers that are not pages (no menu): the API, media bytes, static files, the schema.
NOT_PAGES = ("/api/", "/media", "/static/", "/schema")


async def count_open_alerts(request: Request[Any, Any, Any]) -> None:
    """Before a therapist's page: `request.state.open_alerts` and `drafts_to_review` for the
    menu (base.html)."""
    user = request.scope.get("user")
    if not isinstance(user, User) or not permissions.can_see_caseload(user.role):
        return
    if request.url.path.startswith(NOT_PAGES):
        return
    # Both counts are kept under a change token (the care data's, the catalog's): one statement
    # reads the two.
    with tokens_read_once():
        request.state.open_alerts = await caseload_alerts.open_alert_count(user)
        if permissions.can_review_drafts(user.role):
            request.state.drafts_to_review = await reviews.awaiting_review_count()
