"""Writes that pages and the JSON API share: one service call and one audit record each, so
both record the same thing; each side answers in its own way (a redirect, or JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request

from wellness.accounts.models import User
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.web.auditing import record_action


async def change_session_status(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    session: PracticeSession,
    target: Status,
) -> PracticeSession:
    """Publish or archive `session`; a refused change raises `CatalogError`."""
    changed = await catalog.change_status(session, target, actor=editor, now=now)
    await record_action(
        request, f"session_{target.value}", target_type="session", target_id=session.id
    )
    return changed
