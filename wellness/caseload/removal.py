"""Deleting a draft session that was never published and that nothing refers to.

What may refer to a session lies in other domains: patients' practice records (their key to it
is `SET NULL`: a deletion would silently blank them), therapists' assignments (`RESTRICT`), care
teams' pins and bans (`CASCADE`: a deletion would silently lift them), therapists' clinical
reviews (`RESTRICT`: never deleted), coordinators' collections (`RESTRICT`: a deletion must not
silently shorten or empty a programme), and the suggestion logs' lists and follow-ups (ids
without a key). So each is counted, inside the deletion's transaction and after the session's row is
locked (PostgreSQL; SQLite runs one writer at a time), and any one refuses the deletion.
Published and archived sessions are refused whatever refers to them: archiving is how those
leave the library (`catalog.rules.check_session_deletable`).

The session's tags go with it (`CASCADE`); its media stays unless asked for, and then only if no
other session plays it (`catalog.removal`), both or neither. The caller removes the freed files
once the transaction has committed.
"""

from __future__ import annotations

import json

from tortoise.transactions import in_transaction

from wellness.care.models import AssignmentVersion, SessionOverride
from wellness.catalog import removal, rules
from wellness.catalog.models import CollectionEntry, PracticeSession
from wellness.catalog.removal import Removed
from wellness.db import raw_query
from wellness.practice.models import PracticeLog
from wellness.reviews.models import SessionReview
from wellness.suggestions.logs.models import SuggestionFollow


async def delete_draft(session_id: int, *, with_media: bool = False) -> Removed | None:
    """Delete a never-published draft nothing refers to, and with `with_media` its media too
    (`CatalogConflict` if either is refused: then nothing is deleted); None if it is gone."""
    # Outside the write transaction: the scan reads every stored list, and SQLite would hold
    # every other writer (check-ins, practice) back for as long. A draft cannot join a list
    # meanwhile: the engine offers published sessions only.
    listed = await _suggestions_naming(session_id)
    async with in_transaction():
        session = await PracticeSession.filter(id=session_id).select_for_update().first()
        if session is None:
            return None
        rules.check_session_deletable(
            session.title, session.status, ever_published=session.published_at is not None
        )
        found = await references(session.id, listed_in_suggestions=listed)
        if found:
            raise rules.session_in_use(session.title, found)
        # The media to delete along, if asked for and there is any.
        asset_id: int | None = session.primary_asset_id if with_media else None  # type: ignore[attr-defined]
        if asset_id is not None:
            users = await removal.sessions_using(asset_id)
            others = [user.title for user in users if user.id != session.id]
            if others:
                raise rules.media_shared(others)
        await PracticeSession.filter(id=session.id).delete()
        files = await removal.delete_asset_rows(asset_id) if asset_id is not None else None
    return Removed(session_id=session.id, media_id=asset_id if files else None, files=files or ())


async def references(session_id: int, *, listed_in_suggestions: int | None = None) -> list[str]:
    """What refers to this session, in words ("2 practice records"); empty if nothing does.
    `listed_in_suggestions`: `_suggestions_naming`'s count, if the caller has it already."""
    if listed_in_suggestions is None:
        listed_in_suggestions = await _suggestions_naming(session_id)
    counts = (
        (await PracticeLog.filter(session_id=session_id).count(), "practice record"),
        (await AssignmentVersion.filter(session_id=session_id).count(), "assignment"),
        (await SessionOverride.filter(session_id=session_id).count(), "pin or ban"),
        (await SessionReview.filter(session_id=session_id).count(), "clinical review"),
        (await CollectionEntry.filter(session_id=session_id).count(), "collection"),
        (listed_in_suggestions, "suggestion record"),
    )
    return [_counted(count, noun) for count, noun in counts if count]


async def _suggestions_naming(session_id: int) -> int:
    """Suggestion lists that showed the session, and practices that followed one to it. The
    engine offers published sessions only, so a draft never published is in none: this scans
    the logs' JSON for the sake of data written some other way, on a rare action."""
    follows = await SuggestionFollow.filter(session_id=session_id).count()
    connection, sql = raw_query()
    if sql.dialect == "postgres":
        wanted = sql.param(json.dumps([{"session_id": session_id}]))
        condition = f"items @> {wanted}::jsonb"
    else:
        path, wanted = sql.param("$.session_id"), sql.param(session_id)
        condition = (
            "EXISTS (SELECT 1 FROM json_each(suggestion_logs.items) "  # noqa: S608
            f"WHERE json_extract(value, {path}) = {wanted})"
        )
    # Only placeholders go into the text; the values are bound.
    query = f"SELECT COUNT(*) FROM suggestion_logs WHERE {condition}"  # noqa: S608
    _, rows = await connection.execute_query(query, sql.params)
    return follows + int(rows[0][0])


def _counted(count: int, noun: str) -> str:
    if count == 1:
        return f"1 {noun}"
    plural = "pins or bans" if noun == "pin or ban" else f"{noun}s"
    return f"{count} {plural}"
