"""Editing sessions: creating them, changing their fields and tags, and moving them between
statuses (draft, published, archived) as `kinds.can_transition` allows."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from wellness.accounts.models import User
from wellness.catalog import rules
from wellness.catalog.kinds import (
    Contraindication,
    Guidance,
    Kind,
    Level,
    Posture,
    Status,
    can_transition,
)
from wellness.catalog.models import MediaAsset, PracticeSession, SessionTag
from wellness.checkins.fields import Anxiety

# The bounds `rules` checks, as annotations msgspec checks too when it decodes SessionFields.
# Not empty, so the OpenAPI document says so; a title of spaces only is `rules`' to refuse.
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=rules.MAX_TITLE)]
Tag = Annotated[str, msgspec.Meta(max_length=rules.MAX_TAG)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=rules.MAX_TAGS)]


class SessionFields(msgspec.Struct):
    """Editable fields of a session. None means "leave unchanged" (for partial updates).

    Annotated with the catalog's bounds, so that a msgspec decoder (the JSON API's) refuses what
    is out of them as it reads; `_cleaned` applies the rules whoever the caller."""

    title: Title | None = None
    kind: Kind | None = None
    description: str | None = None
    instructor: str | None = None
    language: str | None = None
    level: Level | None = None
    posture: Posture | None = None
    guidance: Guidance | None = None
    transcript: str | None = None
    anxiety_min: Anxiety | None = None
    anxiety_max: Anxiety | None = None
    contraindications: list[Contraindication] | None = None
    tags: Tags | None = None
    primary_asset_id: int | None = None


def _cleaned(fields: SessionFields, current: PracticeSession | None) -> dict[str, object]:
    values: dict[str, object] = {}
    if fields.title is not None:
        values["title"] = rules.clean_title(fields.title)
    for name, limit in (
        ("description", rules.MAX_DESCRIPTION),
        ("transcript", rules.MAX_TRANSCRIPT),
    ):
        value = getattr(fields, name)
        if value is not None:
            values[name] = rules.clean_text(name, value, limit)
    if fields.instructor is not None:
        values["instructor"] = rules.clean_instructor(fields.instructor)
    if fields.language is not None:
        values["language"] = rules.clean_language(fields.language)
    for name in ("kind", "level", "posture", "guidance"):
        value = getattr(fields, name)
        if value is not None:
            values[name] = value
    if fields.contraindications is not None:
        values["contraindications"] = sorted({item.value for item in fields.contraindications})
    low = (
        fields.anxiety_min
        if fields.anxiety_min is not None
        else (current.anxiety_min if current else 0)
    )
    high = (
        fields.anxiety_max
        if fields.anxiety_max is not None
        else (current.anxiety_max if current else 10)
    )
    rules.check_anxiety_range(low, high)
    values["anxiety_min"], values["anxiety_max"] = low, high
    return values


def _check_stamps(values: dict[str, object], duration_seconds: float) -> None:
    """A transcript being saved keeps its time stamps in order and within the recording, which
    is `duration_seconds` long once saved (0: no recording)."""
    if "transcript" in values:
        rules.check_transcript_stamps(str(values["transcript"]), duration_seconds)


NO_SUCH_MEDIA = "No uploaded media has that id."


async def _asset_or_error(asset_id: int) -> MediaAsset:
    asset = await MediaAsset.get_or_none(id=asset_id)
    if asset is None:
        raise rules.CatalogError("primary_asset_id", NO_SUCH_MEDIA)
    return asset


async def _refuse_if_media_went(asset_id: int | None) -> None:
    """After an IntegrityError: the media was deleted between the check and the write (the
    sessions' key to it is RESTRICT, so the write fails rather than point at nothing)."""
    if asset_id is not None and not await MediaAsset.exists(id=asset_id):
        raise rules.CatalogError("primary_asset_id", NO_SUCH_MEDIA) from None


async def create_session(
    fields: SessionFields, *, actor: User | None, now: datetime
) -> PracticeSession:
    if fields.title is None or fields.kind is None:
        raise rules.CatalogError(
            "title" if fields.title is None else "kind", "This field is required."
        )
    values = _cleaned(fields, None)
    tags = rules.clean_tags(fields.tags or [])
    asset = (
        await _asset_or_error(fields.primary_asset_id)
        if fields.primary_asset_id is not None
        else None
    )
    _check_stamps(values, asset.duration_seconds if asset else 0)
    try:
        async with in_transaction():
            session = PracticeSession(
                **values,
                primary_asset=asset,
                duration_seconds=asset.duration_seconds if asset else 0,
                tag_text=rules.tag_text(tags),
                created_by=actor,
                updated_by=actor,
                created_at=now,
                updated_at=now,
            )
            await session.save()
            await SessionTag.bulk_create([SessionTag(session=session, tag=tag) for tag in tags])
    except IntegrityError:
        await _refuse_if_media_went(asset.id if asset else None)
        raise
    return session


async def update_session(
    session: PracticeSession, fields: SessionFields, *, actor: User, now: datetime
) -> PracticeSession:
    values = _cleaned(fields, session)
    tags = rules.clean_tags(fields.tags) if fields.tags is not None else None
    if tags is not None:
        values["tag_text"] = rules.tag_text(tags)
    duration = session.duration_seconds
    if fields.primary_asset_id is not None:
        asset = await _asset_or_error(fields.primary_asset_id)
        values["primary_asset_id"] = asset.id
        values["duration_seconds"] = duration = asset.duration_seconds
    _check_stamps(values, duration)
    try:
        async with in_transaction():
            await PracticeSession.filter(id=session.id).update(
                **values, updated_by_id=actor.id, updated_at=now
            )
            if tags is not None:
                await SessionTag.filter(session_id=session.id).delete()
                await SessionTag.bulk_create(
                    [SessionTag(session_id=session.id, tag=tag) for tag in tags]
                )
    except IntegrityError:
        await _refuse_if_media_went(fields.primary_asset_id)
        raise
    return await PracticeSession.get(id=session.id)


def check_publishable(session: PracticeSession) -> None:
    """`CatalogError` ("status") if the session could not be published as it is."""
    if session.primary_asset_id is None:  # type: ignore[attr-defined]
        raise rules.CatalogError("status", "Attach a media file before publishing.")


async def change_status(
    session: PracticeSession, target: Status, *, actor: User, now: datetime
) -> PracticeSession:
    if session.status is target:
        return session
    if not can_transition(session.status, target):
        raise rules.CatalogError(
            "status", f"A {session.status.value} session can't become {target.value}."
        )
    if target is Status.PUBLISHED:
        check_publishable(session)
    changes: dict[str, object] = {"status": target, "updated_by_id": actor.id, "updated_at": now}
    if target is Status.PUBLISHED:
        changes["published_at"] = now
    await PracticeSession.filter(id=session.id).update(**changes)
    return await PracticeSession.get(id=session.id)
