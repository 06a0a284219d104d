"""The demo library file (wellness/demo/library.toml) and how it is read.

The library was Python literals until it moved to a data file; the pinned table below is what it
held then, so any change to the demo's sessions is a deliberate edit of this test.
"""

from __future__ import annotations

import pytest

from wellness.catalog import transcripts
from wellness.catalog.kinds import Contraindication, Kind, Level, Posture, Status
from wellness.demo.content import (
    DEMO_SESSIONS,
    BreathPace,
    Cue,
    LibraryError,
    Sound,
    demo_session,
    read_library,
)

# (slug, kind, status, minutes, cues), in the order the seeder creates them.
PINNED = [
    ("slow-breathing-hard-moments", Kind.BREATHING, Status.PUBLISHED, 6, 9),
    ("five-senses-grounding", Kind.GROUNDING, Status.PUBLISHED, 5, 7),
    ("fuesse-stuhl-atem", Kind.GROUNDING, Status.PUBLISHED, 7, 7),
    ("paced-breathing-six", Kind.BREATHING, Status.PUBLISHED, 10, 6),
    ("three-minute-breathing-space", Kind.MEDITATION, Status.PUBLISHED, 3, 4),
    ("noticing-the-breath", Kind.MEDITATION, Status.PUBLISHED, 10, 6),
    ("kindness-on-a-hard-day", Kind.MEDITATION, Status.PUBLISHED, 12, 7),
    ("sitting-in-silence-with-bells", Kind.MEDITATION, Status.PUBLISHED, 20, 3),
    ("seated-body-scan", Kind.BODY_SCAN, Status.PUBLISHED, 8, 9),
    ("body-scan-lying-down", Kind.BODY_SCAN, Status.PUBLISHED, 15, 15),
    ("gentle-chair-yoga", Kind.YOGA, Status.PUBLISHED, 12, 10),
    ("steady-sun-salutations", Kind.YOGA, Status.PUBLISHED, 16, 9),
    ("drifting-towards-sleep", Kind.SLEEP, Status.PUBLISHED, 20, 7),
    ("slow-breaths-before-sleep", Kind.SLEEP, Status.PUBLISHED, 9, 5),
    ("box-breathing-draft", Kind.BREATHING, Status.DRAFT, 5, 2),
    ("walking-meditation-archived", Kind.MEDITATION, Status.ARCHIVED, 10, 5),
]

ONE_SESSION = """
[[sessions]]
slug = "a-bell"
title = "A bell"
kind = "meditation"
minutes = 1
instructor = "Nobody"
anxiety_min = 0
anxiety_max = 5
tags = ["bells"]
sound = "bells"
description = '''
Two lines
of   description.'''

[[sessions.cues]]
at = "0:00"
text = "A bell."

[[sessions.cues]]
at = "0:30"
text = "Another."
"""


def test_the_library_holds_the_sessions_it_held_as_python_literals() -> None:
    read = [
        (session.slug, session.kind, session.status, session.minutes, len(session.cues))
        for session in DEMO_SESSIONS
    ]
    assert read == PINNED


def test_wrapped_prose_reads_as_one_paragraph_and_cue_times_as_seconds() -> None:
    draft = demo_session("box-breathing-draft")

    assert draft.description == (
        "Draft. In for four, hold for four, out for four, hold for four. Breath holds can "
        "unsettle people in early recovery, so the clinical team reviews this before "
        "publishing. The recording is a timer with bells; the counting is in the guidance."
    )
    assert draft.transcript == (
        "[0:00] A bell. Sit upright. Breathe in for a count of four, hold gently for four, "
        "breathe out for four, hold for four. If a hold feels uncomfortable, shorten it or "
        "leave it out.\n\n[4:40] A bell. Return to natural breathing."
    )
    assert [cue.at for cue in draft.cues] == [0, 280]


@pytest.mark.parametrize("scale", [1.0, 0.1, 0.05, 0.02])
def test_every_transcript_is_timed_within_its_track_at_any_audio_scale(scale: float) -> None:
    for session in DEMO_SESSIONS:
        text = session.scaled_transcript(scale)
        plan = session.audio_plan() if scale == 1 else session.audio_plan().scaled(scale)

        assert transcripts.problem(text, plan.seconds) is None, session.slug
        sections = transcripts.timed_sections(text)
        assert sections is not None, session.slug
        assert sections[0].start == 0, session.slug


def test_a_scaled_transcript_moves_each_stamp_with_its_cue() -> None:
    draft = demo_session("box-breathing-draft")

    assert draft.scaled_transcript(0.1).split("\n\n")[1] == (
        "[0:28] A bell. Return to natural breathing."
    )
    assert draft.scaled_transcript(1.0) == draft.transcript


def test_fields_left_out_take_the_defaults_and_vocabularies_become_enums() -> None:
    (session,) = read_library(ONE_SESSION)

    assert session.description == "Two lines of description."
    assert session.cues == (Cue(0, "A bell."), Cue(30, "Another."))
    assert (session.kind, session.sound, session.tags) == (Kind.MEDITATION, Sound.BELLS, ("bells",))
    assert (session.status, session.level, session.posture) == (
        Status.PUBLISHED,
        Level.BEGINNER,
        Posture.SEATED,
    )
    assert (session.language, session.contraindications) == ("en", ())
    assert session.pace == BreathPace()


def test_contraindications_and_a_pace_are_read_when_given() -> None:
    text = ONE_SESSION.replace(
        'sound = "bells"',
        'sound = "breathing"\ncontraindications = ["breath_hold"]\n'
        "pace = { inhale_seconds = 3.0, exhale_seconds = 7.0 }",
    )
    (session,) = read_library(text)

    assert session.contraindications == (Contraindication.BREATH_HOLD,)
    assert session.pace == BreathPace(3.0, 7.0)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('kind = "meditation"', 'kind = "dancing"'), "'dancing' is not a valid Kind"),
        (("minutes = 1", "minutes = 1\nmood = 3"), "unexpected keyword argument 'mood'"),
        (('instructor = "Nobody"', ""), "missing 1 required positional argument: 'instructor'"),
        (('at = "0:30"', 'at = "half a minute"'), "'half a minute' is not minutes:seconds"),
        (('at = "0:30"', 'at = "0:3\uff10"'), "'0:3\uff10' is not minutes:seconds"),
        (('text = "Another."', 'text = "Another."\nloud = true'), "unexpected keyword"),
    ],
)
def test_a_fault_in_the_file_is_refused_naming_the_session(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(LibraryError, match=f"demo session 'a-bell': .*{message}"):
        read_library(ONE_SESSION.replace(*change))


def test_a_library_holds_sessions_only() -> None:
    with pytest.raises(LibraryError, match=r"\[\[sessions\]\] tables only"):
        read_library('title = "A library"\n' + ONE_SESSION)


def test_an_unknown_slug_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        demo_session("no-such-session")
