"""A patient's Saved list, on both databases: one row per patient and session whatever the
retries, at most 500, newest saved first, each patient's own; a session archived later stays on
the list, and nothing about saves holds a session's or a patient's deletion back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from tests.caseload_fixtures import person, published
from tests.services.conftest import Orm
from tests.services.test_catalog_deletion import make_asset, make_session
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload import removal
from wellness.catalog import saved, saved_rules
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession, SavedSession
from wellness.catalog.rules import CatalogConflict
from wellness.catalog.search import CatalogQuery

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)


@pytest.fixture
def pat(any_orm: Orm) -> User:
    return any_orm.run(person("pat", Role.PATIENT))


@pytest.fixture
def sam(any_orm: Orm) -> User:
    return any_orm.run(person("sam", Role.PATIENT))


@pytest.fixture
def sessions(any_orm: Orm) -> dict[str, PracticeSession]:
    return {
        title: any_orm.run(published(title, minutes=minutes, now=NOW))
        for title, minutes in (("Breathe", 6), ("Ground", 5), ("Scan", 8))
    }


def everything(**narrowed: Any) -> CatalogQuery:
    """A query of the Saved list (its statuses are not read: it keeps what was saved)."""
    return CatalogQuery(statuses=frozenset(Status), **narrowed)


def rows(orm: Orm) -> list[tuple[int, int]]:
    return sorted(orm.run(SavedSession.all().values_list("patient_id", "session_id")))


def test_saving_twice_keeps_one_row_and_says_it_was_there(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    breathe = sessions["Breathe"].id

    first = any_orm.run(saved.save(pat.id, breathe, now=NOW))
    second = any_orm.run(saved.save(pat.id, breathe, now=NOW + timedelta(hours=1)))

    assert (first, second) == (True, False)
    assert rows(any_orm) == [(pat.id, breathe)]
    [kept] = any_orm.run(SavedSession.all())
    assert kept.saved_at == NOW  # the first save's time: saving again changes nothing


def test_two_saves_of_the_same_session_at_once_store_one_row(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    breathe = sessions["Breathe"].id

    async def both() -> list[bool]:
        return list(
            await asyncio.gather(
                saved.save(pat.id, breathe, now=NOW), saved.save(pat.id, breathe, now=NOW)
            )
        )

    assert sorted(any_orm.run(both())) == [False, True]
    assert rows(any_orm) == [(pat.id, breathe)]


def test_the_database_refuses_a_second_row_for_the_same_patient_and_session(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    breathe = sessions["Breathe"].id
    any_orm.run(SavedSession.create(patient_id=pat.id, session_id=breathe, saved_at=NOW))

    with pytest.raises(IntegrityError):
        any_orm.run(SavedSession.create(patient_id=pat.id, session_id=breathe, saved_at=NOW))


def test_a_full_list_refuses_one_more_naming_the_limit_and_stores_nothing(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    asset = any_orm.run(make_asset(7))

    async def fill() -> None:
        await PracticeSession.bulk_create(
            [
                PracticeSession(
                    title=f"Filler {number}",
                    kind="breathing",
                    status=Status.PUBLISHED,
                    primary_asset=asset,
                    duration_seconds=60,
                    created_at=NOW,
                    updated_at=NOW,
                    published_at=NOW,
                )
                for number in range(saved_rules.MAX_SAVED)
            ]
        )
        ids = await PracticeSession.filter(title__startswith="Filler").values_list("id", flat=True)
        await SavedSession.bulk_create(
            [SavedSession(patient_id=pat.id, session_id=sid, saved_at=NOW) for sid in ids]
        )

    any_orm.run(fill())

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(saved.save(pat.id, sessions["Breathe"].id, now=NOW))

    assert refused.value.code == "saved_limit"
    assert "at most 500 saved sessions" in refused.value.message
    assert any_orm.run(saved.saved_count(pat.id)) == saved_rules.MAX_SAVED
    assert not any_orm.run(saved.is_saved(pat.id, sessions["Breathe"].id))
    # Saving one already on a full list is no new row: not refused.
    filler = any_orm.run(PracticeSession.get(title="Filler 0"))
    assert any_orm.run(saved.save(pat.id, filler.id, now=NOW)) is False


def test_the_list_is_newest_saved_first_and_paged(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    for hours, title in enumerate(("Scan", "Breathe", "Ground")):
        any_orm.run(saved.save(pat.id, sessions[title].id, now=NOW + timedelta(hours=hours)))

    first = any_orm.run(saved.saved_page(pat.id, everything(page=1, per_page=2))).found
    second = any_orm.run(saved.saved_page(pat.id, everything(page=2, per_page=2))).found
    past_the_end = any_orm.run(saved.saved_page(pat.id, everything(page=9, per_page=2))).found

    assert [item.row.title for item in first.items] == ["Ground", "Breathe"]
    assert [item.row.title for item in second.items] == ["Scan"]
    assert (first.total, first.pages, second.page) == (3, 2, 2)
    assert first.items[0].saved_at == NOW + timedelta(hours=2)
    assert past_the_end.page == 2  # clamped to the last page, as the library's are


def test_each_patient_has_their_own_list(
    any_orm: Orm, pat: User, sam: User, sessions: dict[str, PracticeSession]
) -> None:
    any_orm.run(saved.save(pat.id, sessions["Breathe"].id, now=NOW))
    any_orm.run(saved.save(sam.id, sessions["Scan"].id, now=NOW))

    mine = any_orm.run(saved.saved_page(pat.id, everything())).found
    among = any_orm.run(saved.saved_among(pat.id, [s.id for s in sessions.values()]))
    removed = any_orm.run(saved.unsave(pat.id, sessions["Scan"].id))  # Sam's, not Pat's

    assert [item.row.title for item in mine.items] == ["Breathe"]
    assert among == frozenset({sessions["Breathe"].id})
    assert removed is False
    assert rows(any_orm) == sorted(
        [(pat.id, sessions["Breathe"].id), (sam.id, sessions["Scan"].id)]
    )


def test_unsaving_takes_one_session_off_and_again_is_nothing(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    any_orm.run(saved.save(pat.id, sessions["Breathe"].id, now=NOW))
    any_orm.run(saved.save(pat.id, sessions["Scan"].id, now=NOW))

    first = any_orm.run(saved.unsave(pat.id, sessions["Breathe"].id))
    again = any_orm.run(saved.unsave(pat.id, sessions["Breathe"].id))

    assert (first, again) == (True, False)
    assert rows(any_orm) == [(pat.id, sessions["Scan"].id)]


def test_a_session_archived_after_it_was_saved_stays_on_the_list_and_may_be_unsaved(
    any_orm: Orm, pat: User, sam: User, sessions: dict[str, PracticeSession]
) -> None:
    scan = sessions["Scan"]
    any_orm.run(saved.save(pat.id, scan.id, now=NOW))
    any_orm.run(PracticeSession.filter(id=scan.id).update(status=Status.ARCHIVED))

    [item] = any_orm.run(saved.saved_page(pat.id, everything())).found.items
    for_pat = any_orm.run(saved.session_to_unsave(pat, scan.id))
    for_sam = any_orm.run(saved.session_to_unsave(sam, scan.id))

    assert (item.row.title, item.row.status) == ("Scan", Status.ARCHIVED)
    assert for_pat is not None
    assert for_pat.id == scan.id
    assert for_sam is None  # not his to unsave, and not one he may open
    assert any_orm.run(saved.session_to_unsave(sam, sessions["Breathe"].id)) is not None


def test_a_never_published_draft_is_deleted_whatever_and_saves_go_with_a_patient(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """Only published sessions are saved, and only never-published drafts are deleted: the
    deletion counts no saves. The keys cascade as a backstop, and with a patient's account."""
    draft = any_orm.run(make_session("Draft", any_orm.run(make_asset(3))))
    any_orm.run(saved.save(pat.id, sessions["Breathe"].id, now=NOW))
    any_orm.run(saved.save(pat.id, sessions["Scan"].id, now=NOW))

    assert any_orm.run(removal.references(draft.id)) == []
    assert any_orm.run(removal.delete_draft(draft.id)) is not None
    any_orm.run(PracticeSession.filter(id=sessions["Scan"].id).delete())  # a backstop only
    assert rows(any_orm) == [(pat.id, sessions["Breathe"].id)]
    any_orm.run(User.filter(id=pat.id).delete())

    assert rows(any_orm) == []
    assert any_orm.run(PracticeSession.filter(id=sessions["Breathe"].id).exists())
