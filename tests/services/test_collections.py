"""Collections of sessions, on both databases: a coordinator's ordered list of existing
sessions with a title unique among live collections, moving draft -> published -> archived as a
session does; patients see published ones, and in them only published sessions; what the
catalog cache keeps of them is renewed by every write that changes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tortoise import connections
from tortoise.exceptions import IntegrityError

from tests.caseload_fixtures import person, practised, published
from tests.services.conftest import Orm
from tests.services.test_catalog_deletion import make_asset, make_session
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.catalog import collection_reads, collections, editing
from wellness.catalog.cache import change_token
from wellness.catalog.collections import CollectionFields
from wellness.catalog.kinds import Status
from wellness.catalog.models import Collection, CollectionEntry, PracticeSession
from wellness.catalog.rules import CatalogConflict, CatalogError
from wellness.practice.history import completed_sessions, practice_of_sessions
from wellness.settings import CarePolicy

NOW = datetime(2026, 11, 24, 14, 30, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)


@pytest.fixture
def cora(any_orm: Orm) -> User:
    return any_orm.run(person("cora", Role.COORDINATOR))


@pytest.fixture
def pat(any_orm: Orm) -> User:
    return any_orm.run(person("pat", Role.PATIENT))


@pytest.fixture
def sessions(any_orm: Orm) -> dict[str, PracticeSession]:
    """Three published sessions, a draft and an archived one."""
    made = {
        title: any_orm.run(published(title, minutes=minutes, now=NOW))
        for title, minutes in (("Breathe", 6), ("Ground", 5), ("Scan", 8))
    }
    asset = any_orm.run(make_asset(1))
    made["Draft"] = any_orm.run(make_session("Draft", asset))
    made["Old"] = any_orm.run(make_session("Old", asset, status=Status.ARCHIVED))
    return made


def ids(sessions: dict[str, PracticeSession], *titles: str) -> list[int]:
    return [sessions[title].id for title in titles]


def create(orm: Orm, who: User, title: str, session_ids: list[int], **more: str) -> Collection:
    fields = CollectionFields(title=title, session_ids=session_ids, **more)
    return orm.run(collections.create_collection(fields, actor=who, now=NOW))


def stored(orm: Orm) -> list[tuple[str, str, list[int]]]:
    """Every collection: title, status and its session ids in order."""

    async def read() -> list[tuple[str, str, list[int]]]:
        found = []
        for collection in await Collection.all().order_by("id"):
            entries = await collections.entry_ids(collection.id)
            found.append((collection.title, collection.status.value, entries))
        return found

    return orm.run(read())


def test_a_coordinator_saves_a_draft_collection_with_its_sessions_in_order(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    order = ids(sessions, "Scan", "Breathe", "Draft")

    made = create(any_orm, cora, "  First   week ", order, description="Slowly.\r\nDay by day.")

    assert (made.title, made.status, made.description) == (
        "First week",
        Status.DRAFT,
        "Slowly.\nDay by day.",
    )
    assert (made.live_title, made.created_by_id, made.published_at) == ("first week", cora.id, None)  # type: ignore[attr-defined]
    assert stored(any_orm) == [("First week", "draft", order)]


@pytest.mark.parametrize(
    ("title", "field", "message"),
    [
        ("   ", "title", "Enter a title."),
        ("x" * 121, "title", "Use at most 120 characters for the title."),
        ("FIRST WEEK", "title", "Another collection is called “FIRST WEEK”."),
    ],
)
def test_a_title_that_is_empty_too_long_or_taken_whatever_its_case_is_refused(
    any_orm: Orm,
    cora: User,
    sessions: dict[str, PracticeSession],
    title: str,
    field: str,
    message: str,
) -> None:
    create(any_orm, cora, "First week", ids(sessions, "Breathe"))

    with pytest.raises(CatalogError) as refused:
        create(any_orm, cora, title, ids(sessions, "Ground"))

    assert refused.value.field == field
    assert message in refused.value.message
    assert len(stored(any_orm)) == 1


def test_a_description_over_two_thousand_characters_is_refused(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    with pytest.raises(CatalogError) as refused:
        create(any_orm, cora, "Long", ids(sessions, "Breathe"), description="x" * 2001)

    assert refused.value.errors == {"description": "Use at most 2,000 characters."}
    assert stored(any_orm) == []


@pytest.mark.parametrize(
    ("listed", "message"),
    [
        ([], "Add at least one session."),
        (list(range(1, 52)), "A collection holds at most 50 sessions; it has 51."),
        ("twice", "is listed more than once."),
        ("unknown", "No sessions have the ids 999999 and 999998."),
    ],
)
def test_a_list_of_no_sessions_too_many_a_repeat_or_unknown_ids_is_refused(
    any_orm: Orm,
    cora: User,
    sessions: dict[str, PracticeSession],
    listed: list[int] | str,
    message: str,
) -> None:
    breathe = sessions["Breathe"].id
    named = {"twice": [breathe, breathe], "unknown": [breathe, 999_999, 999_998]}
    chosen = named[listed] if isinstance(listed, str) else listed

    with pytest.raises(CatalogError) as refused:
        create(any_orm, cora, "Refused", chosen)

    assert refused.value.field == "session_ids"
    assert message in refused.value.message
    assert stored(any_orm) == []
    assert any_orm.run(CollectionEntry.all().count()) == 0


def test_an_archived_session_cannot_join_but_one_held_before_may_stay(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    with pytest.raises(CatalogError) as refused:
        create(any_orm, cora, "With old", ids(sessions, "Breathe", "Old"))
    assert "“Old” is archived: add draft or published sessions only." in refused.value.message

    made = create(any_orm, cora, "Held", ids(sessions, "Breathe", "Ground"))
    archived = sessions["Ground"]
    any_orm.run(editing.change_status(archived, Status.ARCHIVED, actor=cora, now=NOW))
    reordered = CollectionFields(session_ids=ids(sessions, "Ground", "Breathe"))

    any_orm.run(collections.update_collection(made, reordered, actor=cora, now=LATER))

    assert stored(any_orm) == [("Held", "draft", ids(sessions, "Ground", "Breathe"))]


def test_an_update_changes_only_the_fields_given_and_rewrites_the_order(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Week", ids(sessions, "Breathe", "Ground"), description="Kept")

    changed = any_orm.run(
        collections.update_collection(
            made,
            CollectionFields(title="Week one", session_ids=ids(sessions, "Ground", "Scan")),
            actor=cora,
            now=LATER,
        )
    )

    assert (changed.title, changed.live_title, changed.description) == (
        "Week one",
        "week one",
        "Kept",
    )
    assert changed.updated_at == LATER
    assert stored(any_orm) == [("Week one", "draft", ids(sessions, "Ground", "Scan"))]


def test_publishing_needs_a_published_session_in_it(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    drafts_only = create(any_orm, cora, "Drafts", ids(sessions, "Draft"))

    with pytest.raises(CatalogError) as refused:
        any_orm.run(
            collections.change_collection_status(drafts_only, Status.PUBLISHED, actor=cora, now=NOW)
        )

    assert refused.value.field == "status"
    assert "Publish at least one of its sessions first" in refused.value.message
    assert stored(any_orm) == [("Drafts", "draft", ids(sessions, "Draft"))]


def test_a_collection_moves_between_statuses_as_a_session_does(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Evening", ids(sessions, "Scan"))

    def move(collection: Collection, target: Status) -> Collection:
        return any_orm.run(
            collections.change_collection_status(collection, target, actor=cora, now=LATER)
        )

    out = move(made, Status.PUBLISHED)
    assert (out.status, out.published_at, out.live_title) == (Status.PUBLISHED, LATER, "evening")
    gone = move(out, Status.ARCHIVED)
    assert (gone.status, gone.live_title) == (Status.ARCHIVED, None)
    with pytest.raises(CatalogError) as refused:
        move(gone, Status.DRAFT)
    assert refused.value.message == "A archived collection can't become draft."
    assert move(gone, Status.PUBLISHED).status is Status.PUBLISHED


def test_an_archived_collection_frees_its_title_until_it_is_published_again(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    first = create(any_orm, cora, "Evening", ids(sessions, "Scan"))
    archived = any_orm.run(
        collections.change_collection_status(first, Status.ARCHIVED, actor=cora, now=NOW)
    )
    create(any_orm, cora, "EVENING", ids(sessions, "Breathe"))

    with pytest.raises(CatalogError) as refused:
        any_orm.run(
            collections.change_collection_status(archived, Status.PUBLISHED, actor=cora, now=NOW)
        )

    assert refused.value.field == "status"
    assert "Another collection is called “Evening”" in refused.value.message
    assert [status for _, status, _ in stored(any_orm)] == ["archived", "draft"]


def test_the_database_keeps_live_titles_unique_should_two_writes_race(
    any_orm: Orm, cora: User
) -> None:
    any_orm.run(Collection.create(title="A", live_title="a", created_at=NOW, updated_at=NOW))

    with pytest.raises(IntegrityError):
        any_orm.run(Collection.create(title="a", live_title="a", created_at=NOW, updated_at=NOW))


def test_save_and_publish_stores_nothing_when_publishing_is_refused(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Mixed", ids(sessions, "Breathe", "Draft"))
    drafts_only = CollectionFields(title="Renamed", session_ids=ids(sessions, "Draft"))

    with pytest.raises(CatalogError):
        any_orm.run(collections.save_and_publish(made, drafts_only, actor=cora, now=LATER))

    assert stored(any_orm) == [("Mixed", "draft", ids(sessions, "Breathe", "Draft"))]


def test_a_draft_never_published_is_deleted_and_its_sessions_stay(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Gone", ids(sessions, "Breathe", "Draft"))

    assert any_orm.run(collections.delete_collection(made.id)) is True

    assert stored(any_orm) == []
    assert any_orm.run(CollectionEntry.all().count()) == 0
    assert any_orm.run(PracticeSession.all().count()) == 5
    assert any_orm.run(collections.delete_collection(made.id)) is False


def test_a_collection_ever_published_is_archived_instead_of_deleted(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Kept", ids(sessions, "Breathe"))
    out = any_orm.run(
        collections.change_collection_status(made, Status.PUBLISHED, actor=cora, now=NOW)
    )

    with pytest.raises(CatalogConflict) as refused:
        any_orm.run(collections.delete_collection(out.id))

    assert refused.value.code == "collection_published"
    assert "“Kept” is published. Archive it instead" in refused.value.message
    assert stored(any_orm) == [("Kept", "published", ids(sessions, "Breathe"))]


def test_the_database_refuses_to_delete_a_session_a_collection_holds(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    """The removal service counts entries and refuses first; the key is its backstop."""
    create(any_orm, cora, "Holds", ids(sessions, "Draft"))

    with pytest.raises(IntegrityError):
        any_orm.run(PracticeSession.filter(id=sessions["Draft"].id).delete())


# --- what viewers see ---------------------------------------------------------------------------


def publish(orm: Orm, who: User, collection: Collection) -> Collection:
    return orm.run(
        collections.change_collection_status(collection, Status.PUBLISHED, actor=who, now=NOW)
    )


def test_patients_list_published_collections_that_hold_a_session_they_may_open(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    evening = publish(
        any_orm, cora, create(any_orm, cora, "Evening", ids(sessions, "Scan", "Draft"))
    )
    create(any_orm, cora, "Draft one", ids(sessions, "Breathe"))
    emptied = publish(any_orm, cora, create(any_orm, cora, "Emptied", ids(sessions, "Ground")))
    any_orm.run(editing.change_status(sessions["Ground"], Status.ARCHIVED, actor=cora, now=NOW))

    for_patient = any_orm.run(collection_reads.collections_page(pat, 1, 20))
    for_coordinator = any_orm.run(collection_reads.collections_page(cora, 1, 20))

    assert [(card.title, card.session_ids) for card in for_patient.items] == [
        ("Evening", (sessions["Scan"].id,))
    ]
    assert for_patient.items[0].seconds == 8 * 60
    assert [card.title for card in for_coordinator.items] == ["Draft one", "Emptied", "Evening"]
    assert any_orm.run(collections.collection_for_viewer(pat, emptied.id)) is not None
    assert any_orm.run(collections.collection_for_viewer(pat, evening.id)) is not None


def test_a_draft_or_archived_collection_is_for_coordinators_only(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    therapist = any_orm.run(person("theo", Role.THERAPIST))
    draft = create(any_orm, cora, "Draft", ids(sessions, "Scan"))
    archived = any_orm.run(
        collections.change_collection_status(
            create(any_orm, cora, "Old", ids(sessions, "Scan")),
            Status.ARCHIVED,
            actor=cora,
            now=NOW,
        )
    )

    for hidden in (draft, archived):
        assert any_orm.run(collections.collection_for_viewer(pat, hidden.id)) is None
        assert any_orm.run(collections.collection_for_viewer(therapist, hidden.id)) is None
        assert any_orm.run(collections.collection_for_viewer(cora, hidden.id)) is not None
        assert any_orm.run(collections.collection_for_editor(therapist, hidden.id)) is None


def test_inside_a_collection_patients_see_published_sessions_and_coordinators_all(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    made = create(any_orm, cora, "Mixed", ids(sessions, "Draft", "Scan", "Breathe"))

    seen = [row.title for row in any_orm.run(collection_reads.sessions_of(pat, made))]
    all_of_it = [row.title for row in any_orm.run(collection_reads.sessions_of(cora, made))]

    assert seen == ["Scan", "Breathe"]
    assert all_of_it == ["Draft", "Scan", "Breathe"]


def test_archiving_a_session_hides_it_inside_collections_at_once(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    made = publish(any_orm, cora, create(any_orm, cora, "Week", ids(sessions, "Breathe", "Scan")))
    assert len(any_orm.run(collection_reads.sessions_of(pat, made))) == 2  # now kept in the cache

    any_orm.run(editing.change_status(sessions["Scan"], Status.ARCHIVED, actor=cora, now=LATER))

    assert [row.title for row in any_orm.run(collection_reads.sessions_of(pat, made))] == [
        "Breathe"
    ]
    cards = any_orm.run(collection_reads.collections_page(pat, 1, 20)).items
    assert [card.session_ids for card in cards] == [(sessions["Breathe"].id,)]


def test_every_write_to_collections_renews_the_catalog_token_whoever_writes(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    """The triggers of migration 0021: through the services and through plain SQL alike."""
    tokens = [any_orm.run(change_token())]
    made = create(any_orm, cora, "Week", ids(sessions, "Breathe"))
    tokens.append(any_orm.run(change_token()))
    any_orm.run(
        collections.update_collection(
            made, CollectionFields(session_ids=ids(sessions, "Scan")), actor=cora, now=LATER
        )
    )
    tokens.append(any_orm.run(change_token()))
    connection = connections.get("default")
    any_orm.run(connection.execute_script("UPDATE collections SET description = 'by hand'"))
    tokens.append(any_orm.run(change_token()))
    any_orm.run(connection.execute_script("DELETE FROM collection_entries"))
    tokens.append(any_orm.run(change_token()))

    assert None not in tokens
    assert len(set(tokens)) == len(tokens)


def test_a_renamed_collection_is_listed_under_its_new_title_at_once(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    made = publish(any_orm, cora, create(any_orm, cora, "Week", ids(sessions, "Breathe")))
    assert [
        card.title for card in any_orm.run(collection_reads.collections_page(pat, 1, 20)).items
    ] == ["Week"]

    any_orm.run(
        collections.update_collection(
            made, CollectionFields(title="Week one"), actor=cora, now=LATER
        )
    )

    assert [
        card.title for card in any_orm.run(collection_reads.collections_page(pat, 1, 20)).items
    ] == ["Week one"]


def test_the_sessions_to_add_leave_out_archived_ones_and_those_already_in(
    any_orm: Orm, cora: User, sessions: dict[str, PracticeSession]
) -> None:
    found = any_orm.run(
        collection_reads.addable_sessions(
            cora, "", leave_out=frozenset(ids(sessions, "Breathe")), limit=10
        )
    )
    searched = any_orm.run(
        collection_reads.addable_sessions(cora, "sca", leave_out=frozenset(), limit=10)
    )

    assert [row.title for row in found] == ["Draft", "Ground", "Scan"]
    assert [row.title for row in searched] == ["Scan"]


def test_completed_sessions_follow_the_one_completion_rule(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    other = any_orm.run(person("other", Role.PATIENT))
    any_orm.run(practised(pat.id, NOW, session=sessions["Breathe"]))
    any_orm.run(practised(pat.id, NOW, session=sessions["Scan"], complete=False))
    any_orm.run(practised(other.id, NOW, session=sessions["Ground"]))

    done = any_orm.run(
        completed_sessions(pat.id, ids(sessions, "Breathe", "Scan", "Ground"), CarePolicy())
    )

    assert done == {sessions["Breathe"].id}


def test_a_sessions_practice_is_judged_by_its_longest_play_and_its_latest_start(
    any_orm: Orm, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """Plays of one session that differ only in the seconds listened are read together (one
    row per group): a 90% play counts whatever the plays around it, and the latest start is
    the latest of all of them, finished or not."""
    scan = sessions["Scan"]
    length = scan.duration_seconds
    plays = [(NOW - timedelta(hours=3), 0.9), (NOW - timedelta(hours=1), 0.1)]
    for started, share in plays:
        logged = any_orm.run(practised(pat.id, started, session=scan, complete=False))
        logged.listened_seconds = int(length * share)
        any_orm.run(logged.save(update_fields=["listened_seconds"]))
    any_orm.run(
        practised(pat.id, NOW - timedelta(hours=2), session=sessions["Breathe"], complete=False)
    )

    found = any_orm.run(
        practice_of_sessions(pat.id, ids(sessions, "Breathe", "Scan", "Ground"), CarePolicy())
    )

    assert set(found) == {scan.id, sessions["Breathe"].id}
    assert found[scan.id].completed is True
    assert found[scan.id].last_started_at == NOW - timedelta(hours=1)
    assert found[sessions["Breathe"].id].completed is False
    assert found[sessions["Breathe"].id].last_started_at == NOW - timedelta(hours=2)


def test_a_coordinators_cached_page_of_published_collections_never_reaches_a_patient(
    any_orm: Orm, cora: User, pat: User, sessions: dict[str, PracticeSession]
) -> None:
    """Both ask for published collections, page 1: the coordinator's counts the drafts in them
    and lists one holding only drafts; the patient's, kept under the same token, neither."""
    publish(any_orm, cora, create(any_orm, cora, "Drafts inside", ids(sessions, "Breathe")))
    any_orm.run(PracticeSession.filter(id=sessions["Breathe"].id).update(status=Status.DRAFT))
    publish_mixed = create(any_orm, cora, "Mixed", ids(sessions, "Draft", "Scan"))
    publish(any_orm, cora, publish_mixed)

    coordinators = any_orm.run(collection_reads.collections_page(cora, 1, 20, Status.PUBLISHED))
    patients = any_orm.run(collection_reads.collections_page(pat, 1, 20, Status.PUBLISHED))

    assert [(card.title, card.sessions) for card in coordinators.items] == [
        ("Drafts inside", 1),
        ("Mixed", 2),
    ]
    assert [(card.title, card.sessions) for card in patients.items] == [("Mixed", 1)]
