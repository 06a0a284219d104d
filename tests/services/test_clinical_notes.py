"""Clinician notes (wellness.care.notes): written once, amended only by their author, read a page
at a time and over a period, and never changed or deleted, which the database itself refuses
(migration 0018), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from tortoise import connections

from tests.caseload_fixtures import person
from tests.conftest import TEST_NOW
from tests.services.conftest import Orm
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.care import notes
from wellness.care import services as care
from wellness.care.models import ClinicalNote, NoteAddendum
from wellness.care.note_rules import NoteKind
from wellness.lib.validation import FieldError
from wellness.system import services as system


def _people(orm: Orm) -> tuple[User, User, User]:
    """A patient in Berlin; her therapist, in Los Angeles; a colleague on her care team."""
    patient = orm.run(person("alice", Role.PATIENT))
    author = orm.run(person("bob", Role.THERAPIST, "America/Los_Angeles"))
    colleague = orm.run(person("carol", Role.THERAPIST))
    for therapist in (author, colleague):
        orm.run(care.assign(therapist, patient, now=TEST_NOW))
    return patient, author, colleague


def _write(
    orm: Orm,
    author: User,
    patient: User,
    text: str = "Talked about sleep.",
    *,
    day: date | None = None,
    now: datetime = TEST_NOW,
    kind: NoteKind = NoteKind.SESSION,
) -> ClinicalNote:
    return orm.run(
        notes.write_note(author, patient, kind=kind, contact_date=day, text=text, now=now)
    )


def _stored(orm: Orm) -> tuple[int, int]:
    return orm.run(ClinicalNote.all().count()), orm.run(NoteAddendum.all().count())


def test_a_note_is_stored_cleaned_with_its_author_and_the_authors_today(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    # 05:00 UTC on the 25th is still the 24th in Los Angeles, the author's zone.
    now = datetime.fromisoformat("2026-11-25T05:00:00+00:00")

    note = _write(any_orm, author, patient, "  Phoned her.\r\nShe sounded calmer.  ", now=now)

    stored = any_orm.run(ClinicalNote.get(id=note.id))
    assert (stored.patient_id, stored.author_id, stored.kind) == (
        patient.id,
        author.id,
        NoteKind.SESSION,
    )
    assert stored.contact_date == date(2026, 11, 24)
    assert stored.text == "Phoned her.\nShe sounded calmer."
    assert stored.written_at == now


@pytest.mark.parametrize(
    ("text", "day", "field"),
    [
        ("   ", None, "text"),
        ("x" * 10_001, None, "text"),
        ("Fine.", date(2026, 11, 25), "contact_date"),  # tomorrow in Los Angeles
        ("Fine.", date(2025, 11, 22), "contact_date"),  # over 365 days back
    ],
)
def test_a_refused_note_stores_nothing(
    any_orm: Orm, text: str, day: date | None, field: str
) -> None:
    patient, author, _ = _people(any_orm)
    written: list[int] = []

    async def audited(note_id: int) -> None:
        written.append(note_id)

    with pytest.raises(FieldError) as refused:
        any_orm.run(
            notes.write_note(
                author,
                patient,
                kind=NoteKind.OTHER,
                contact_date=day,
                text=text,
                now=TEST_NOW,
                written=audited,
            )
        )

    assert refused.value.field == field
    assert _stored(any_orm) == (0, 0)
    assert written == []


def test_the_author_adds_addenda_shown_in_order(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)

    for minutes, text in ((30, "Correction: it was Tuesday."), (90, "She called back.")):
        any_orm.run(
            notes.add_addendum(author, note, text=text, now=TEST_NOW + timedelta(minutes=minutes))
        )

    [view] = any_orm.run(notes.notes_page(patient)).items
    assert [(item.text, item.author) for item in view.addenda] == [
        ("Correction: it was Tuesday.", "Bob"),
        ("She called back.", "Bob"),
    ]
    assert view.text == "Talked about sleep."  # the note itself as written
    assert view.amendable_by(author)


def test_a_colleague_on_the_care_team_reads_but_cannot_amend(any_orm: Orm) -> None:
    patient, author, colleague = _people(any_orm)
    note = _write(any_orm, author, patient)

    with pytest.raises(notes.NotTheAuthor):
        any_orm.run(notes.add_addendum(colleague, note, text="I disagree.", now=TEST_NOW))
    # Who is asking is checked before what they typed.
    with pytest.raises(notes.NotTheAuthor):
        any_orm.run(notes.add_addendum(colleague, note, text="", now=TEST_NOW))

    assert _stored(any_orm) == (1, 0)
    [view] = any_orm.run(notes.notes_page(patient)).items
    assert not view.amendable_by(colleague)


def test_an_empty_addendum_is_refused_and_stores_nothing(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)

    with pytest.raises(FieldError, match="Write the addendum"):
        any_orm.run(notes.add_addendum(author, note, text=" \n ", now=TEST_NOW))

    assert _stored(any_orm) == (1, 0)


def test_notes_come_the_latest_contact_first_a_page_at_a_time(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    # Written in this order: a late write-up of an older contact lists by its contact.
    for days_back, text in ((1, "yesterday"), (10, "ten days ago"), (0, "today"), (1, "again")):
        _write(any_orm, author, patient, text, day=date(2026, 11, 24) - timedelta(days=days_back))

    first = any_orm.run(notes.notes_page(patient, per_page=3))
    second = any_orm.run(notes.notes_page(patient, page=2, per_page=3))

    assert [view.text for view in first.items] == ["today", "again", "yesterday"]
    assert [view.text for view in second.items] == ["ten days ago"]
    assert (first.page, first.pages, first.total) == (1, 2, 4)


def test_notes_of_a_period_are_those_whose_contact_falls_in_it(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    for day in (date(2026, 11, 1), date(2026, 11, 2), date(2026, 11, 8), date(2026, 11, 9)):
        _write(any_orm, author, patient, day.isoformat(), day=day)

    found = any_orm.run(notes.notes_between(patient, date(2026, 11, 2), date(2026, 11, 8)))

    assert [view.text for view in found] == ["2026-11-02", "2026-11-08"]


def _refused_by_the_database(orm: Orm, sql: str) -> None:
    async def run() -> None:
        await connections.get("default").execute_script(sql)

    with pytest.raises(Exception, match="clinical notes are never changed or deleted"):
        orm.run(run())


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE clinical_notes SET text = 'rewritten'",
        "UPDATE clinical_notes SET contact_date = '2026-01-01'",
        "UPDATE clinical_notes SET kind = 'other'",
        "DELETE FROM clinical_notes",
        "UPDATE clinical_note_addenda SET text = 'rewritten'",
        "DELETE FROM clinical_note_addenda",
    ],
)
def test_the_database_refuses_to_change_or_delete_a_note_or_an_addendum(
    any_orm: Orm, sql: str
) -> None:
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)
    any_orm.run(notes.add_addendum(author, note, text="Later.", now=TEST_NOW))

    _refused_by_the_database(any_orm, sql)

    [view] = any_orm.run(notes.notes_page(patient)).items
    assert (view.text, view.kind, view.contact_date) == (
        "Talked about sleep.",
        NoteKind.SESSION,
        date(2026, 11, 24),
    )
    assert [item.text for item in view.addenda] == ["Later."]


def test_the_orm_cannot_change_or_delete_a_note_either(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)

    with pytest.raises(Exception, match="never changed or deleted"):
        any_orm.run(ClinicalNote.filter(id=note.id).update(text="rewritten"))
    with pytest.raises(Exception, match="never changed or deleted"):
        any_orm.run(ClinicalNote.filter(id=note.id).delete())

    assert any_orm.run(ClinicalNote.get(id=note.id)).text == "Talked about sleep."


def test_a_note_outlives_its_authors_account(any_orm: Orm) -> None:
    """The author's link is the one thing that may change: NULL once the account is gone."""
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)
    any_orm.run(notes.add_addendum(author, note, text="Later.", now=TEST_NOW))

    any_orm.run(User.filter(id=author.id).delete())

    [view] = any_orm.run(notes.notes_page(patient)).items
    assert (view.author_id, view.author, view.text) == (None, "", "Talked about sleep.")
    assert [(item.author_id, item.text) for item in view.addenda] == [(None, "Later.")]


def test_a_demo_database_can_still_be_emptied_with_its_notes(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    note = _write(any_orm, author, patient)
    any_orm.run(notes.add_addendum(author, note, text="Later.", now=TEST_NOW))
    any_orm.run(system.mark_as_demo())

    any_orm.run(system.wipe_all_data())

    assert _stored(any_orm) == (0, 0)


def test_a_note_is_found_only_about_its_own_patient(any_orm: Orm) -> None:
    patient, author, _ = _people(any_orm)
    other = any_orm.run(person("dora", Role.PATIENT))
    any_orm.run(care.assign(author, other, now=TEST_NOW))
    note = _write(any_orm, author, patient)

    assert any_orm.run(notes.note_about(patient, note.id)) is not None
    assert any_orm.run(notes.note_about(other, note.id)) is None
