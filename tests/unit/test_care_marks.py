"""How the catalog marks a session for one patient, read the way the suggestion engine reads it."""

from __future__ import annotations

from wellness.care.marks import Mark, SessionTraits, mark_for, marks_for
from wellness.care.restrictions import NONE, Restrictions


def test_a_patient_without_restrictions_has_no_marks() -> None:
    sessions = [SessionTraits(1, ("breath_hold",), "standing", "silent", 40)]

    assert marks_for(NONE, sessions) == {}


def test_a_contraindication_or_a_ban_means_skip() -> None:
    patient = Restrictions(contraindications=frozenset({"breath_hold"}), banned=frozenset({2}))

    assert mark_for(patient, SessionTraits(1, ("breath_hold",), "seated", "guided", 5)) is Mark.SKIP
    assert mark_for(patient, SessionTraits(2, (), "seated", "guided", 5)) is Mark.SKIP
    assert mark_for(patient, SessionTraits(3, ("vigorous",), "seated", "guided", 5)) is None


def test_what_the_attributes_imply_counts_like_a_declared_flag() -> None:
    standing = Restrictions(contraindications=frozenset({"standing"}))
    silence = Restrictions(contraindications=frozenset({"long_silence"}))

    assert mark_for(standing, SessionTraits(1, (), "standing", "guided", 10)) is Mark.SKIP
    assert mark_for(standing, SessionTraits(1, (), "seated", "guided", 10)) is None
    assert mark_for(silence, SessionTraits(1, (), "seated", "silent", 25)) is Mark.SKIP
    assert mark_for(silence, SessionTraits(1, (), "seated", "silent", 0)) is Mark.SKIP
    assert mark_for(silence, SessionTraits(1, (), "seated", "silent", 5)) is None
    assert mark_for(silence, SessionTraits(1, (), "seated", "guided", 45)) is None


def test_a_pin_is_shown_unless_the_session_must_be_skipped() -> None:
    patient = Restrictions(contraindications=frozenset({"vigorous"}), pinned=frozenset({1, 2}))
    sessions = [
        SessionTraits(1, (), "seated", "guided", 5),
        SessionTraits(2, ("vigorous",), "seated", "guided", 5),
        SessionTraits(3, (), "seated", "guided", 5),
    ]

    assert marks_for(patient, sessions) == {1: Mark.PINNED, 2: Mark.SKIP}
    assert Mark.SKIP.label == "Your care team has asked you to skip this one for now"
