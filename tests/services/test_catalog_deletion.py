"""Deleting what the catalog never used, on both databases: a draft never published that nothing
refers to, and media no session plays. The database's rows go first, in one transaction; the
files are the caller's to remove once that has committed (`catalog.removal.remove_files`)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tortoise.exceptions import IntegrityError

from tests.caseload_fixtures import person
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care.models import (
    AssignmentVersion,
    OverrideKind,
    PracticeAssignment,
    SessionOverride,
)
from wellness.caseload import removal as drafts
from wellness.catalog import editing, removal
from wellness.catalog.editing import SessionFields
from wellness.catalog.kinds import Kind, Status
from wellness.catalog.models import (
    Collection,
    CollectionEntry,
    MediaAsset,
    PracticeSession,
    SessionTag,
)
from wellness.catalog.rules import CatalogConflict, CatalogError
from wellness.catalog.storage import LocalMediaStore
from wellness.practice.models import PracticeLog
from wellness.practice.rules import Evidence
from wellness.suggestions.logs.models import SuggestionFollow, SuggestionLog

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
# What may refer to a session, each made as its own domain stores it.
REFERENCES = (
    "practice",
    "assignment",
    "pin",
    "ban",
    "suggestion_list",
    "suggestion_follow",
    "collection",
)


async def make_asset(number: int, *, cover: str | None = None) -> MediaAsset:
    return await MediaAsset.create(
        sha256=f"{number:064x}",
        size_bytes=10,
        container="mp3",
        mime_type="audio/mpeg",
        extension="mp3",
        duration_seconds=300.0,
        cover_sha256=cover,
        cover_mime_type="image/png" if cover else None,
        uploaded_at=NOW,
    )


async def make_session(
    title: str, asset: MediaAsset | None, *, status: Status = Status.DRAFT, tags: bool = True
) -> PracticeSession:
    fields = SessionFields(
        title=title,
        kind=Kind.BREATHING,
        primary_asset_id=asset.id if asset else None,
        tags=["calm", "exhale"] if tags else [],
    )
    session = await editing.create_session(fields, actor=None, now=NOW)
    if status is Status.DRAFT:
        return session
    if status is Status.ARCHIVED:  # archived straight from draft: never published
        await PracticeSession.filter(id=session.id).update(status=status)
    else:
        await PracticeSession.filter(id=session.id).update(status=status, published_at=NOW)
    return await PracticeSession.get(id=session.id)


async def refer(kind: str, session_id: int, patient: User) -> None:
    """Make one record of `kind` refer to the session, as its domain would store it."""
    if kind in {"practice", "suggestion_follow"}:
        log = await PracticeLog.create(
            patient_id=patient.id,
            session_id=session_id,
            kind=Kind.BREATHING,
            evidence=Evidence.OBSERVED_PLAYBACK,
            started_at=NOW,
            time_zone="Europe/Berlin",
            created_at=NOW,
            updated_at=NOW,
        )
        if kind == "practice":
            return
        shown = await SuggestionLog.create(
            patient_id=patient.id, shown_at=NOW, engine_version="test", items=[]
        )
        await PracticeLog.filter(id=log.id).update(session_id=None)  # only the follow-up names it
        await SuggestionFollow.create(
            suggestion_id=shown.id, practice_id=log.id, session_id=session_id, linked_at=NOW
        )
    elif kind == "assignment":
        assignment = await PracticeAssignment.create(patient_id=patient.id, created_at=NOW)
        await AssignmentVersion.create(
            assignment_id=assignment.id,
            effective_from=date(2026, 11, 24),
            session_id=session_id,
            frequency="daily",
            start=date(2026, 11, 24),
            created_at=NOW,
        )
    elif kind == "collection":
        collection = await Collection.create(
            title="First week", live_title="first week", created_at=NOW, updated_at=NOW
        )
        await CollectionEntry.create(collection_id=collection.id, session_id=session_id, position=0)
    elif kind in {"pin", "ban"}:
        await SessionOverride.create(
            patient_id=patient.id, session_id=session_id, kind=OverrideKind(kind), set_at=NOW
        )
    else:
        items = [
            {"session_id": session_id + 1000, "probability": 0.5, "reasons": []},
            {"session_id": session_id, "probability": 0.5, "reasons": ["calm"]},
        ]
        await SuggestionLog.create(
            patient_id=patient.id, shown_at=NOW, engine_version="test", items=items
        )


def counts(orm: Orm) -> dict[str, int]:
    async def read() -> dict[str, int]:
        return {
            "sessions": await PracticeSession.all().count(),
            "tags": await SessionTag.all().count(),
            "assets": await MediaAsset.all().count(),
            "practice": await PracticeLog.all().count(),
            "versions": await AssignmentVersion.all().count(),
            "overrides": await SessionOverride.all().count(),
            "suggestions": await SuggestionLog.all().count(),
            "collection entries": await CollectionEntry.all().count(),
            "follows": await SuggestionFollow.all().count(),
        }

    return orm.run(read())


# --- drafts ---------------------------------------------------------------------------------------


def test_a_draft_nothing_refers_to_is_deleted_with_its_tags_and_its_media_kept(
    any_orm: Orm,
) -> None:
    asset = any_orm.run(make_asset(1))
    draft = any_orm.run(make_session("Mistake", asset))

    removed = any_orm.run(drafts.delete_draft(draft.id))

    assert removed == removal.Removed(session_id=draft.id)
    assert any_orm.run(PracticeSession.filter(id=draft.id).exists()) is False
    assert any_orm.run(SessionTag.all().count()) == 0
    assert any_orm.run(MediaAsset.filter(id=asset.id).exists()) is True


def test_a_draft_is_deleted_with_its_media_when_asked_and_its_files_are_named(
    any_orm: Orm,
) -> None:
    asset = any_orm.run(make_asset(1, cover="c" * 64))
    draft = any_orm.run(make_session("Mistake", asset))

    removed = any_orm.run(drafts.delete_draft(draft.id, with_media=True))

    assert removed is not None
    assert (removed.session_id, removed.media_id) == (draft.id, asset.id)
    assert removed.files == (asset.storage_key, f"{'c' * 64}.png")
    assert any_orm.run(MediaAsset.all().count()) == 0


@pytest.mark.parametrize("status", [Status.PUBLISHED, Status.ARCHIVED])
def test_a_published_or_archived_session_is_refused_and_kept(any_orm: Orm, status: Status) -> None:
    draft = any_orm.run(make_session("Kept", any_orm.run(make_asset(1)), status=status))
    before = counts(any_orm)

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(drafts.delete_draft(draft.id, with_media=True))

    assert refused.value.code == "session_published"
    assert "Only a draft that was never published can be deleted" in refused.value.message
    assert counts(any_orm) == before


def test_a_draft_that_was_published_once_is_refused(any_orm: Orm) -> None:
    """No status leads back to draft today; a published date says what the status may not."""
    draft = any_orm.run(make_session("Once out", any_orm.run(make_asset(1))))
    any_orm.run(PracticeSession.filter(id=draft.id).update(published_at=NOW))

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(drafts.delete_draft(draft.id))

    assert "was published before" in refused.value.message
    assert any_orm.run(PracticeSession.filter(id=draft.id).exists()) is True


@pytest.mark.parametrize("kind", REFERENCES)
def test_a_draft_anything_refers_to_is_refused_and_nothing_changes(any_orm: Orm, kind: str) -> None:
    patient = any_orm.run(person("ref.patient", Role.PATIENT))
    draft = any_orm.run(make_session("Referred to", any_orm.run(make_asset(1))))
    any_orm.run(refer(kind, draft.id, patient))
    before = counts(any_orm)

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(drafts.delete_draft(draft.id, with_media=True))

    assert refused.value.code == "session_in_use"
    noun = {
        "practice": "1 practice record",
        "assignment": "1 assignment",
        "pin": "1 pin or ban",
        "ban": "1 pin or ban",
        "suggestion_list": "1 suggestion record",
        "suggestion_follow": "1 suggestion record",
        "collection": "1 collection",
    }[kind]
    assert f"“Referred to” can't be deleted: {noun} refer to it." in refused.value.message
    assert "Archive it instead" in refused.value.message
    assert counts(any_orm) == before


def test_a_suggestion_list_naming_another_session_does_not_count(any_orm: Orm) -> None:
    patient = any_orm.run(person("ref.patient", Role.PATIENT))
    draft = any_orm.run(make_session("Free", None))
    any_orm.run(refer("suggestion_list", draft.id + 1, patient))  # names draft.id + 1 and + 1001

    assert any_orm.run(drafts.references(draft.id)) == []
    assert any_orm.run(drafts.delete_draft(draft.id)) is not None


def test_a_draft_whose_media_another_session_plays_keeps_both_when_both_were_asked(
    any_orm: Orm,
) -> None:
    asset = any_orm.run(make_asset(1))
    draft = any_orm.run(make_session("Mistake", asset))
    any_orm.run(make_session("Sharing", asset, status=Status.ARCHIVED))
    before = counts(any_orm)

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(drafts.delete_draft(draft.id, with_media=True))

    assert refused.value.code == "media_in_use"
    assert "Nothing was deleted: “Sharing” uses this draft's media file too." in str(refused.value)
    assert counts(any_orm) == before
    assert any_orm.run(drafts.delete_draft(draft.id)) == removal.Removed(session_id=draft.id)


def test_a_session_that_is_gone_answers_none(any_orm: Orm) -> None:
    assert any_orm.run(drafts.delete_draft(999_999)) is None
    assert any_orm.run(removal.delete_unused_asset(999_999)) is None


# --- media ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(Status))
def test_media_a_session_plays_is_refused_whatever_its_status(any_orm: Orm, status: Status) -> None:
    asset = any_orm.run(make_asset(1))
    any_orm.run(make_session("Zeta", asset, status=status))
    any_orm.run(make_session("Alpha", asset, status=Status.DRAFT))
    before = counts(any_orm)

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(removal.delete_unused_asset(asset.id))

    assert refused.value.code == "media_in_use"
    assert "the sessions “Alpha” and “Zeta” use it" in refused.value.message
    assert counts(any_orm) == before


def test_unused_media_is_deleted_and_a_cover_another_file_shows_is_kept(any_orm: Orm) -> None:
    cover = "c" * 64
    asset = any_orm.run(make_asset(1, cover=cover))
    other = any_orm.run(make_asset(2, cover=cover))

    removed = any_orm.run(removal.delete_unused_asset(asset.id))

    assert removed == removal.Removed(media_id=asset.id, files=(asset.storage_key,))
    assert any_orm.run(MediaAsset.filter(id=other.id).exists()) is True
    last = any_orm.run(removal.delete_unused_asset(other.id))
    assert last is not None
    assert last.files == (other.storage_key, f"{cover}.png")


def test_the_sessions_key_to_their_media_refuses_deleting_it_in_the_database(
    any_orm: Orm,
) -> None:
    """What the deletion relies on when a session is given the media at the same moment."""
    asset = any_orm.run(make_asset(1))
    any_orm.run(make_session("Plays it", asset))

    with pytest.raises(IntegrityError):
        any_orm.run(MediaAsset.filter(id=asset.id).delete())

    assert any_orm.run(MediaAsset.filter(id=asset.id).exists()) is True


def test_a_session_given_media_deleted_meanwhile_is_refused_and_not_stored(
    any_orm: Orm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The media was checked, then deleted before the session's row was written."""
    asset = any_orm.run(make_asset(1))
    draft = any_orm.run(make_session("Other", None))
    loaded = any_orm.run(MediaAsset.get(id=asset.id))
    any_orm.run(removal.delete_unused_asset(asset.id))

    async def stale(asset_id: int) -> MediaAsset:
        return loaded

    monkeypatch.setattr(editing, "_asset_or_error", stale)
    fields = SessionFields(title="Late", kind=Kind.SLEEP, primary_asset_id=asset.id)
    with pytest.raises(CatalogError) as creating:
        any_orm.run(editing.create_session(fields, actor=None, now=NOW))
    coordinator = any_orm.run(person("cora", Role.COORDINATOR))
    with pytest.raises(CatalogError) as updating:
        any_orm.run(editing.update_session(draft, fields, actor=coordinator, now=NOW))

    for refused in (creating, updating):
        assert refused.value.errors == {"primary_asset_id": "No uploaded media has that id."}
    assert any_orm.run(PracticeSession.all().values_list("title", "primary_asset_id")) == [
        ("Other", None)
    ]


def test_deleting_media_and_giving_it_a_session_at_once_never_leave_a_session_without_it(
    any_orm: Orm, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each race ends one way or the other: the media is deleted and the session refused, or
    the session is stored and the deletion refused. When the session's write starts first, it
    finds the media, the deletion commits, and the database's key refuses the write."""
    outcomes = []
    refused_by_the_key = []
    check_again = editing._refuse_if_media_went

    async def spy(asset_id: int | None) -> None:
        refused_by_the_key.append(asset_id)
        await check_again(asset_id)

    monkeypatch.setattr(editing, "_refuse_if_media_went", spy)
    for number in range(1, 9):
        asset = any_orm.run(make_asset(number))
        fields = SessionFields(title=f"Race {number}", kind=Kind.SLEEP, primary_asset_id=asset.id)

        async def race(
            asset_id: int = asset.id, fields: SessionFields = fields, number: int = number
        ) -> Sequence[object]:
            deleting = removal.delete_unused_asset(asset_id)
            creating = editing.create_session(fields, actor=None, now=NOW)
            # Each starts first in every other round.
            both = [deleting, creating] if number % 2 else [creating, deleting]
            results = await asyncio.gather(*both, return_exceptions=True)
            return results if number % 2 else results[::-1]

        deleted, created = any_orm.run(race())
        if isinstance(deleted, removal.Removed):
            assert isinstance(created, CatalogError), created
            outcomes.append("deleted")
        else:
            assert isinstance(deleted, CatalogConflict), deleted
            assert isinstance(created, PracticeSession), created
            outcomes.append("created")
    played = set(any_orm.run(PracticeSession.all().values_list("primary_asset_id", flat=True)))
    stored = set(any_orm.run(MediaAsset.all().values_list("id", flat=True)))
    assert played - {None} <= stored
    assert refused_by_the_key  # the rounds where the write started first


# --- listing and files ------------------------------------------------------------------------


def test_unused_media_is_listed_newest_first_and_paged(any_orm: Orm) -> None:
    assets = [any_orm.run(make_asset(number)) for number in range(1, 6)]
    any_orm.run(make_session("Uses 2", assets[1]))
    any_orm.run(make_session("Uses 4", assets[3], status=Status.ARCHIVED))
    any_orm.run(make_session("No media", None))

    first = any_orm.run(removal.unused_assets(1, 2))
    second = any_orm.run(removal.unused_assets(2, 2))

    assert [asset.id for asset in first.items] == [assets[4].id, assets[2].id]
    assert [asset.id for asset in second.items] == [assets[0].id]
    assert (first.total, first.pages, second.page) == (3, 2, 2)


def test_removing_files_reports_those_left_behind(
    any_orm: Orm, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = LocalMediaStore(tmp_path)
    keys = [f"{hashlib.sha256(bytes([n])).hexdigest()}.mp3" for n in range(3)]
    for key in keys:
        store.put_bytes(b"x", key)
    stuck = store.local_path(keys[1])
    rename = Path.rename

    def failing(path: Path, target: Path) -> Path:
        if path == stuck:
            raise PermissionError(13, "Permission denied", str(path))
        return rename(path, target)

    monkeypatch.setattr(Path, "rename", failing)

    # The last was never stored.
    left = any_orm.run(removal.remove_files(store, [*keys, f"{'d' * 64}.mp3"]))

    assert left == [keys[1]]
    assert [store.exists(key) for key in keys] == [False, True, False]
    assert store.set_aside() == []
