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


async def create_session(
    request: Request[Any, Any, Any], editor: User, now: datetime, fields: catalog.SessionFields
) -> PracticeSession:
    """Save a new draft session; a refused field raises `CatalogError`."""
    session = await catalog.create_session(fields, actor=editor, now=now)
    await _record(request, "session_created", session)
    return session


async def update_session(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    session: PracticeSession,
    fields: catalog.SessionFields,
    *,
    publish: bool = False,
) -> PracticeSession:
    """Save the editor's fields, and with `publish` publish the result too (both or neither);
    a refused change raises `CatalogError`."""
    save = catalog.update_and_publish if publish else catalog.update_session
    saved = await save(session, fields, actor=editor, now=now)
    await _record(request, "session_updated", session)
    if publish:
        await _record(request, "session_published", session)
    return saved


async def change_session_status(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    session: PracticeSession,
    target: Status,
) -> PracticeSession:
    """Publish or archive `session`; a refused change raises `CatalogError`."""
    changed = await catalog.change_status(session, target, actor=editor, now=now)
    await _record(request, f"session_{target.value}", session)
    return changed


async def _record(request: Request[Any, Any, Any], action: str, session: PracticeSession) -> None:
    await record_action(request, action, target_type="session", target_id=session.id)
