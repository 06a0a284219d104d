"""Clinician notes' rules (wellness.care.note_rules): the text, the contact date in the author's
own days, and who may add an addendum."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.unit.test_day_semantics import ZONES, moments
from wellness.care.note_rules import (
    CONTACT_DAYS_BACK,
    MAX_TEXT,
    NoteKind,
    clean_contact_date,
    clean_text,
    earliest_contact,
    local_today,
    may_amend,
)
from wellness.lib.validation import FieldError

TODAY = date(2026, 11, 24)


def test_text_is_trimmed_and_keeps_its_lines() -> None:
    typed = "  \r\nSession went well.\r\n\r\n\tNext: the taper plan.  \n"

    assert clean_text(typed) == "Session went well.\n\n\tNext: the taper plan."


def test_control_and_bidirectional_characters_are_dropped() -> None:
    assert clean_text("Dr\u202e esuoH\x00 called\x07") == "Dr esuoH called"


@pytest.mark.parametrize("typed", ["", "   ", "\n\t\r\n", "\u202e\x00"])
def test_an_empty_note_is_refused_naming_the_text(typed: str) -> None:
    with pytest.raises(FieldError) as refused:
        clean_text(typed)

    assert (refused.value.field, refused.value.message) == ("text", "Write the note: it is empty.")


def test_an_addendum_is_named_as_such() -> None:
    with pytest.raises(FieldError, match=r"Write the addendum: it is empty\."):
        clean_text(" ", what="addendum")


def test_the_longest_note_is_taken_and_one_more_character_is_refused() -> None:
    assert len(clean_text("a" * MAX_TEXT)) == MAX_TEXT
    assert clean_text(f"  {'a' * MAX_TEXT}\n") == "a" * MAX_TEXT  # trimmed before counting

    with pytest.raises(FieldError) as refused:
        clean_text("a" * (MAX_TEXT + 1))

    assert refused.value.field == "text"
    assert refused.value.message == ("Keep the note to 10,000 characters or fewer; it has 10,001.")


def test_the_contact_date_is_today_unless_given() -> None:
    assert clean_contact_date(None, today=TODAY) == TODAY
    assert clean_contact_date(TODAY, today=TODAY) == TODAY
    assert clean_contact_date(TODAY - timedelta(days=3), today=TODAY) == date(2026, 11, 21)


def test_a_contact_after_today_is_refused_naming_the_field() -> None:
    with pytest.raises(FieldError) as refused:
        clean_contact_date(TODAY + timedelta(days=1), today=TODAY)

    assert refused.value.field == "contact_date"
    assert "after today (2026-11-24)" in refused.value.message


def test_a_contact_up_to_a_year_back_is_taken_and_older_is_refused() -> None:
    earliest = earliest_contact(TODAY)
    assert earliest == TODAY - timedelta(days=CONTACT_DAYS_BACK) == date(2025, 11, 24)
    assert clean_contact_date(earliest, today=TODAY) == earliest

    with pytest.raises(FieldError) as refused:
        clean_contact_date(earliest - timedelta(days=1), today=TODAY)

    assert refused.value.field == "contact_date"
    assert "from 2025-11-24 on" in refused.value.message


@pytest.mark.parametrize("zone", ZONES)
def test_today_is_the_authors_calendar_date_at_every_hour(zone: str) -> None:
    for local in moments(zone):
        now = local.astimezone(UTC)

        assert local_today(now, zone) == local.date(), local.isoformat()
        # A contact today is never "after today", whatever the hour where the author is.
        assert clean_contact_date(local.date(), today=local_today(now, zone)) == local.date()


def test_today_differs_by_zone_at_the_same_moment() -> None:
    now = datetime(2026, 11, 24, 23, 30, tzinfo=UTC)

    assert local_today(now, "Europe/Berlin") == date(2026, 11, 25)
    assert local_today(now, "America/Los_Angeles") == date(2026, 11, 24)


def test_only_the_author_may_add_an_addendum() -> None:
    assert may_amend(7, 7)
    assert not may_amend(7, 8)
    assert not may_amend(None, 7)  # the author's account is gone


def test_the_kinds_read_as_words() -> None:
    assert [kind.label for kind in NoteKind] == ["Session", "Phone call", "Group", "Other"]
