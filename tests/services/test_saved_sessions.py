"""A patient's Saved list, on both databases: one row per patient and session whatever the
retries, at most 500, newest saved first, each patient's own; a session archived later stays on
the list, and nothing about saves holds a session's or a patient's deletion back. The library's
search and filters narrow the list: every word of a session still in the library, only the
title of one gone from it, the order still newest saved first, in the same few queries however
long the list."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.exceptions import IntegrityError

from tests.caseload_fixtures import person, published
from tests.services.conftest import Orm
from tests.services.test_catalog_deletion import make_asset, make_session
from tests.services.test_dashboard_queries import counted_queries
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.caseload import removal
from wellness.catalog import saved, saved_rules
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Guidance, Kind, Posture, Status
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


# --- searching the list --------------------------------------------------------------------------

# Title -> (kind, minutes, posture, guidance, instructor, description, tags, status), saved by Pat
# in this order (the last the newest), but "Box breath", which only Sam saved.
SHELF: dict[str, tuple[Kind, int, Posture, Guidance, str, str, list[str], Status]] = {
    "Morning breath": (
        Kind.BREATHING, 5, Posture.SEATED, Guidance.GUIDED, "Ana Ruiz", "Start the day.",
        ["focus"], Status.PUBLISHED,
    ),
    "Quiet walk": (
        Kind.MEDITATION, 10, Posture.STANDING, Guidance.SILENT, "Breathwork Ben",
        "Walk and breathe.", ["outdoors"], Status.ARCHIVED,
    ),
    "Evening scan": (
        Kind.BODY_SCAN, 20, Posture.LYING, Guidance.GUIDED, "", "A gentle breath awareness.",
        ["sleep"], Status.PUBLISHED,
    ),
    "Breath of old": (
        Kind.BREATHING, 8, Posture.SEATED, Guidance.GUIDED, "", "Retired.", [], Status.ARCHIVED,
    ),
    "Box breath": (
        Kind.BREATHING, 5, Posture.SEATED, Guidance.GUIDED, "", "Square.", [], Status.PUBLISHED,
    ),
}  # fmt: skip


@pytest.fixture
def shelf(any_orm: Orm, pat: User, sam: User) -> dict[str, int]:
    """SHELF's sessions, made as a coordinator makes them (so the search index has their tags)."""
    made = {}
    for title, (kind, minutes, posture, guidance, teacher, about, tags, _status) in SHELF.items():
        fields = catalog.SessionFields(
            title=title,
            kind=kind,
            posture=posture,
            guidance=guidance,
            instructor=teacher,
            description=about,
            tags=tags,
        )
        session = any_orm.run(catalog.create_session(fields, actor=None, now=NOW))
        any_orm.run(
            PracticeSession.filter(id=session.id).update(
                status=Status.PUBLISHED, duration_seconds=minutes * 60
            )
        )
        made[title] = session.id
    for hours, title in enumerate(list(SHELF)[:-1]):
        any_orm.run(saved.save(pat.id, made[title], now=NOW + timedelta(hours=hours)))
    any_orm.run(saved.save(sam.id, made["Box breath"], now=NOW))
    for title, described in SHELF.items():  # archived after they were saved
        if described[-1] is Status.ARCHIVED:
            any_orm.run(PracticeSession.filter(id=made[title]).update(status=Status.ARCHIVED))
    return made


def found(orm: Orm, patient: User, **narrowed: Any) -> list[str]:
    page = orm.run(saved.saved_page(patient.id, everything(**narrowed))).found
    return [item.row.title for item in page.items]


def test_words_find_saved_sessions_by_their_text_newest_saved_first(
    any_orm: Orm, pat: User, shelf: dict[str, int]
) -> None:
    """ "Breath of old" is gone but has the word in its title; "Evening scan" has it in its
    description; "Quiet walk" is gone and has it only in its teacher's name; "Box breath" is
    Sam's."""
    assert found(any_orm, pat, text="breath") == ["Breath of old", "Evening scan", "Morning breath"]
    assert found(any_orm, pat, text="BREATH morn") == ["Morning breath"]
    assert found(any_orm, pat) == ["Breath of old", "Evening scan", "Quiet walk", "Morning breath"]


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("quiet", ["Quiet walk"]),  # gone: its title still finds it
        ("ben", []),  # gone: not its teacher
        ("outdoors", []),  # nor its tags
        ("walk", ["Quiet walk"]),  # in its title and description: found once
        ("ana", ["Morning breath"]),  # in the library: its teacher
        ("focus", ["Morning breath"]),  # its tags
        ("gentle", ["Evening scan"]),  # its description
        ("square", []),  # Sam's only
        ("!!!", ["Breath of old", "Evening scan", "Quiet walk", "Morning breath"]),  # no word
    ],
)
def test_a_gone_session_matches_words_by_its_title_only(
    any_orm: Orm, pat: User, shelf: dict[str, int], text: str, titles: list[str]
) -> None:
    assert found(any_orm, pat, text=text) == titles


@pytest.mark.parametrize(
    ("narrowed", "titles"),
    [
        ({"kind": Kind.BODY_SCAN}, ["Evening scan"]),
        ({"kind": Kind.BREATHING}, ["Breath of old", "Morning breath"]),
        ({"max_minutes": 5}, ["Morning breath"]),
        ({"max_minutes": 10}, ["Breath of old", "Quiet walk", "Morning breath"]),
        ({"posture": Posture.LYING}, ["Evening scan"]),
        ({"guidance": Guidance.SILENT}, ["Quiet walk"]),  # the filters apply to gone ones too
        ({"tag": "sleep"}, ["Evening scan"]),
        ({"tag": "outdoors"}, ["Quiet walk"]),
        ({"kind": Kind.BREATHING, "text": "morning"}, ["Morning breath"]),
        ({"kind": Kind.YOGA}, []),
    ],
)
def test_each_of_the_librarys_filters_narrows_the_list(
    any_orm: Orm, pat: User, shelf: dict[str, int], narrowed: dict[str, Any], titles: list[str]
) -> None:
    assert found(any_orm, pat, **narrowed) == titles


def test_a_search_pages_its_matches_and_counts_the_whole_list(
    any_orm: Orm, pat: User, sam: User, shelf: dict[str, int]
) -> None:
    first = any_orm.run(saved.saved_page(pat.id, everything(text="breath", per_page=2)))
    second = any_orm.run(saved.saved_page(pat.id, everything(text="breath", page=2, per_page=2)))
    nothing = any_orm.run(saved.saved_page(pat.id, everything(text="zzz", page=3)))
    sams = any_orm.run(saved.saved_page(sam.id, everything(text="breath")))

    assert [item.row.title for item in first.found.items] == ["Breath of old", "Evening scan"]
    assert [item.row.title for item in second.found.items] == ["Morning breath"]
    assert (first.found.total, first.found.pages, first.kept) == (3, 2, 4)
    assert (nothing.found.items, nothing.found.total, nothing.found.page, nothing.kept) == (
        [],
        0,
        1,
        4,
    )
    assert ([item.row.title for item in sams.found.items], sams.kept) == (["Box breath"], 1)


@pytest.mark.parametrize(
    ("narrowed", "most"),
    [
        # The list, the words' matches in the library and among the gone, the cards, their tags.
        ({"text": "breath", "kind": Kind.BREATHING, "max_minutes": 10}, 5),
        ({"kind": Kind.BREATHING}, 4),  # no words: one search
        ({}, 4),  # nothing narrows: the count and the page's rows, the cards, their tags
    ],
)
def test_the_list_reads_as_many_queries_for_few_saved_as_for_many(
    any_orm: Orm, pat: User, shelf: dict[str, int], narrowed: dict[str, Any], most: int
) -> None:
    def queries(how_many: int) -> list[str]:
        any_orm.run(SavedSession.filter(patient_id=pat.id).delete())
        for number in range(how_many):
            made = any_orm.run(published(f"Breath {how_many}-{number}", minutes=5, now=NOW))
            any_orm.run(saved.save(pat.id, made.id, now=NOW + timedelta(minutes=number)))
        query = everything(per_page=30, **narrowed)
        with counted_queries() as seen:
            found = any_orm.run(saved.saved_page(pat.id, query))
        assert (found.found.total, found.kept) == (how_many, how_many)
        assert len(found.found.items) == min(how_many, 30)
        assert found.found.items[0].row.title == f"Breath {how_many}-{how_many - 1}"
        return seen

    few, many = queries(2), queries(40)

    assert len(few) == len(many) <= most, many
