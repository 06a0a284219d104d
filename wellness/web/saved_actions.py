"""Saving and unsaving a session, for the pages and the JSON API alike: one service call and,
when the list changed, one audit row.

A saved list is the patient's own preference, not clinical data, so its rows are written as
the practice reminder's are (`reminder_actions`): the patient's own action, ids only (which
session), naming no patient whose data a staff member touched.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request

from wellness.accounts.models import User
from wellness.catalog import saved
from wellness.catalog.models import PracticeSession
from wellness.web.auditing import record_action

SAVED = "session_saved"
UNSAVED = "session_unsaved"


async def save_session(
    request: Request[Any, Any, Any], patient: User, session: PracticeSession, now: datetime
) -> bool:
    """Save a session the patient may open (the caller has loaded it so); False if it was
    saved already. A full list raises `CatalogConflict`."""
    created = await saved.save(patient.id, session.id, now=now)
    if created:
        await _record(request, SAVED, session.id, now)
    return created


async def unsave_session(
    request: Request[Any, Any, Any], patient: User, session: PracticeSession, now: datetime
) -> bool:
    """Take a session off the patient's list; False if it was not on it."""
    removed = await saved.unsave(patient.id, session.id)
    if removed:
        await _record(request, UNSAVED, session.id, now)
    return removed


async def _record(
    request: Request[Any, Any, Any], action: str, session_id: int, now: datetime
) -> None:
    await record_action(request, action, target_type="session", target_id=session_id, now=now)
