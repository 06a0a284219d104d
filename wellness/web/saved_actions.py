"""Saving and unsaving a session, for the pages and the JSON API alike: one service call and,
when the list changed, one audit row.

A saved list is the patient's own preference, not clinical data, so its rows are written as
the practice reminder's are (`reminder_actions`): the patient's own action, ids only (which
session), naming no patient whose data a staff member touched.
"""

from __future__ import annotations

from wellness.catalog import saved
from wellness.catalog.models import PracticeSession
from wellness.web.auditing import record_action
from wellness.web.dependencies import SignedInCall

SAVED = "session_saved"
UNSAVED = "session_unsaved"


async def save_session(call: SignedInCall, session: PracticeSession) -> bool:
    """Save a session the patient making the call may open (the caller has loaded it so);
    False if it was saved already. A full list raises `CatalogConflict`."""
    created = await saved.save(call.user.id, session.id, now=call.now)
    if created:
        await _record(call, SAVED, session.id)
    return created


async def unsave_session(call: SignedInCall, session: PracticeSession) -> bool:
    """Take a session off the list of the patient making the call; False if it was not on
    it."""
    removed = await saved.unsave(call.user.id, session.id)
    if removed:
        await _record(call, UNSAVED, session.id)
    return removed


async def _record(call: SignedInCall, action: str, session_id: int) -> None:
    await record_action(
        call.request, action, target_type="session", target_id=session_id, now=call.now
    )
