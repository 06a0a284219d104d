"""Clinician notes: what a note holds and who may add to it. Pure: standard library only, `now`
and `today` are always arguments.

1. Text. Required and at most `MAX_TEXT` characters once cleaned: line breaks kept (as "\\n"),
   other control characters and bidirectional controls dropped, leading and trailing white
   space trimmed. A note of only spaces is empty.
2. Kind. One of `NoteKind`: what the contact was.
3. Contact date. The day of the contact as its author counts days (their own zone), today by
   default; never after that today, and at most `CONTACT_DAYS_BACK` days before it: notes are
   written up late, but not years later.
4. A note is a clinical record: never changed, never deleted. Its author adds corrections and
   later thoughts as addenda, shown under it in order. Nobody else amends it: a colleague on
   the care team who disagrees or knows more writes a note of their own, signed by them, so
   each entry says who stands behind it (`may_amend`).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta

from wellness.lib.days import local_date
from wellness.lib.text import BIDI_CONTROLS
from wellness.lib.validation import FieldError
from wellness.lib.vocabulary import Vocabulary

MAX_TEXT = 10_000
CONTACT_DAYS_BACK = 365
# Kept in a note's text: line breaks and tabs. Other control characters are dropped
# (PostgreSQL stores no NUL at all), as are bidirectional controls (see lib.text).
_KEPT_CONTROLS = frozenset("\n\t")


class NoteKind(Vocabulary):
    """What the contact a note records was."""

    SESSION = "session"
    PHONE_CALL = "phone_call"
    GROUP = "group"
    OTHER = "other"


def clean_text(text: str, *, field: str = "text", what: str = "note") -> str:
    """The text as stored (rule 1), or FieldError naming `field`."""
    unified = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(
        char
        for char in unified
        if char not in BIDI_CONTROLS
        and (char in _KEPT_CONTROLS or unicodedata.category(char) != "Cc")
    ).strip()
    if not cleaned:
        raise FieldError(field, f"Write the {what}: it is empty.")
    if len(cleaned) > MAX_TEXT:
        raise FieldError(
            field,
            f"Keep the {what} to {MAX_TEXT:,} characters or fewer; it has {len(cleaned):,}.",
        )
    return cleaned


def local_today(now: datetime, time_zone: str) -> date:
    """The calendar date `now` falls on in `time_zone`."""
    return local_date(now, time_zone)


def earliest_contact(today: date) -> date:
    return today - timedelta(days=CONTACT_DAYS_BACK)


def clean_contact_date(day: date | None, *, today: date, field: str = "contact_date") -> date:
    """The contact's date (rule 3): `today` when none is given."""
    if day is None:
        return today
    if day > today:
        raise FieldError(
            field, f"That date is after today ({today.isoformat()}): give the day of the contact."
        )
    earliest = earliest_contact(today)
    if day < earliest:
        raise FieldError(
            field,
            f"Notes are for contacts in the last {CONTACT_DAYS_BACK} days: "
            f"give a date from {earliest.isoformat()} on.",
        )
    return day


def may_amend(author_id: int | None, viewer_id: int) -> bool:
    """Whether this viewer may add an addendum to a note by `author_id` (rule 4). A note whose
    author's account is gone (None) takes no more addenda."""
    return author_id is not None and author_id == viewer_id
