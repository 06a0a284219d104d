"""When a practice is complete, what progress the server vouches for, what counts. Pure."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import TypedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wellness.catalog.kinds import Kind
from wellness.lib.validation import FieldError
from wellness.practice.rules import (
    MAX_PRACTICE_MINUTES,
    Evidence,
    PracticeKind,
    clean_listened,
    clean_minutes,
    clean_other_label,
    counts_as_complete,
    ended_at,
    is_complete,
    is_open,
    log_counts_as_complete,
    plausible_listened,
    practice_name,
    resume_seconds,
)


@pytest.mark.parametrize(
    ("listened", "duration", "fraction", "complete"),
    [
        (480, 600.0, 0.8, True),
        (479, 600.0, 0.8, False),
        (600, 600.0, 0.8, True),
        (0, 600.0, 0.8, False),
        (240, 300.5, 0.8, False),  # 80% of 300.5 s is 240.4 s: not yet
        (241, 300.5, 0.8, True),
        (300, 600.0, 0.5, True),
        (299, 600.0, 0.5, False),
        (600, 600.0, 1.0, True),
    ],
)
def test_complete_once_the_fraction_was_listened(
    listened: int, duration: float, fraction: float, complete: bool
) -> None:
    assert is_complete(listened, duration, fraction) is complete


@pytest.mark.parametrize("duration", [None, 0.0, -5.0, math.nan, math.inf])
def test_media_of_unknown_length_is_never_complete(duration: float | None) -> None:
    assert is_complete(10_000, duration, 0.8) is False


@given(
    evidence=st.sampled_from(list(Evidence)),
    completed=st.booleans(),
    listened=st.integers(0, 100_000),
    more=st.integers(0, 100_000),
    duration=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    fraction=st.floats(0.05, 1.0),
)
def test_listening_longer_never_undoes_a_completion(
    evidence: Evidence,
    completed: bool,
    listened: int,
    more: int,
    duration: float | None,
    fraction: float,
) -> None:
    """practice.history groups a patient's practice of a session by everything the rule reads
    but the seconds listened, and judges each group by its most seconds: right only while the
    rule is monotone in them."""
    shorter = log_counts_as_complete(evidence, completed, listened, duration, fraction)
    longer = log_counts_as_complete(evidence, completed, listened + more, duration, fraction)
    assert longer or not shorter


class PlayedMedia(TypedDict):
    """What `counts_as_complete` is told of media practice, besides the stored outcome."""

    has_media: bool
    duration_seconds: float | None
    fraction: float


class LoggedWithoutMedia(TypedDict):
    """What `counts_as_complete` is told of practice without media, besides the outcome."""

    has_media: bool
    listened_seconds: int
    duration_seconds: float | None


def test_media_practice_counts_by_the_current_rule_not_the_stored_flag() -> None:
    played: PlayedMedia = {"has_media": True, "duration_seconds": 600.0, "fraction": 0.8}

    assert counts_as_complete(completed=False, listened_seconds=480, **played) is True
    assert counts_as_complete(completed=True, listened_seconds=479, **played) is False
    # The clinic lowers its rule: old records count without being rewritten.
    assert (
        counts_as_complete(
            has_media=True,
            completed=False,
            listened_seconds=300,
            duration_seconds=600.0,
            fraction=0.5,
        )
        is True
    )


def test_practice_without_media_counts_as_reported() -> None:
    logged: LoggedWithoutMedia = {
        "has_media": False,
        "listened_seconds": 1800,
        "duration_seconds": None,
    }

    assert counts_as_complete(completed=True, fraction=0.8, **logged) is True
    assert counts_as_complete(completed=False, fraction=0.8, **logged) is False


def test_a_log_played_here_counts_by_the_current_rule() -> None:
    played = Evidence.OBSERVED_PLAYBACK.value  # as the database returns it

    assert log_counts_as_complete(played, False, 480, 600.0, 0.8) is True
    assert log_counts_as_complete(played, True, 479, 600.0, 0.8) is False
    # Played here with no known length: never complete, whatever was stored.
    assert log_counts_as_complete(played, True, 1800, None, 0.8) is False


def test_a_reported_log_with_its_media_length_counts_by_the_current_rule() -> None:
    assert log_counts_as_complete(Evidence.SELF_REPORT, True, 100, 600.0, 0.8) is False
    assert log_counts_as_complete(Evidence.SELF_REPORT, False, 480, 600.0, 0.8) is True


def test_a_reported_log_without_media_counts_as_reported() -> None:
    for evidence in (Evidence.SELF_REPORT, Evidence.STAFF_ATTESTED):
        assert log_counts_as_complete(evidence, True, 0, None, 0.8) is True
        assert log_counts_as_complete(evidence, False, 1800, None, 0.8) is False


def test_progress_is_capped_by_twice_the_elapsed_time_plus_slack() -> None:
    assert plausible_listened(500, already=0, elapsed_seconds=100, duration_seconds=600) == 210
    assert plausible_listened(150, already=0, elapsed_seconds=100, duration_seconds=600) == 150
    assert plausible_listened(30, already=0, elapsed_seconds=0, duration_seconds=600) == 10


def test_progress_never_goes_backwards() -> None:
    assert plausible_listened(100, already=300, elapsed_seconds=400, duration_seconds=600) == 300
    # Even when the elapsed-time cap is below what was already stored.
    assert plausible_listened(500, already=300, elapsed_seconds=10, duration_seconds=600) == 300


def test_progress_never_passes_the_end_of_the_media() -> None:
    assert plausible_listened(9_999, already=0, elapsed_seconds=3600, duration_seconds=600) == 600
    assert plausible_listened(700, already=0, elapsed_seconds=3600, duration_seconds=None) == 700


def test_listened_seconds_fit_the_media_or_six_hours() -> None:
    assert clean_listened(600, 599.2) == 600  # the media's length rounded up
    assert clean_listened(MAX_PRACTICE_MINUTES * 60, None) == MAX_PRACTICE_MINUTES * 60
    for bad, duration in [(601, 599.2), (-1, 600.0), (MAX_PRACTICE_MINUTES * 60 + 1, None)]:
        with pytest.raises(FieldError) as refused:
            clean_listened(bad, duration)
        assert refused.value.field == "listened_seconds"
    with pytest.raises(FieldError):
        clean_listened(True, None)


@pytest.mark.parametrize("minutes", [0, MAX_PRACTICE_MINUTES + 1, True])
def test_attested_minutes_must_be_plausible(minutes: int) -> None:
    with pytest.raises(FieldError) as refused:
        clean_minutes(minutes)

    assert refused.value.field == "minutes"


def test_evidence_is_ordered_weakest_first_and_labelled() -> None:
    assert [evidence.value for evidence in Evidence] == [
        "self_report",
        "observed_playback",
        "staff_attested",
    ]
    assert Evidence.STAFF_ATTESTED.label == "Confirmed by staff"


NOON = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("evidence", "quiet_for", "rated_after", "open_"),
    [
        (Evidence.OBSERVED_PLAYBACK, timedelta(0), False, True),
        (Evidence.OBSERVED_PLAYBACK, timedelta(minutes=60), False, True),
        (Evidence.OBSERVED_PLAYBACK, timedelta(minutes=60, seconds=1), False, False),
        (Evidence.OBSERVED_PLAYBACK, timedelta(minutes=5), True, False),
        (Evidence.SELF_REPORT, timedelta(minutes=5), False, False),
        (Evidence.STAFF_ATTESTED, timedelta(minutes=5), False, False),
    ],
)
def test_a_practice_played_here_stays_open_for_an_hour_of_quiet_until_rated_after(
    evidence: Evidence, quiet_for: timedelta, rated_after: bool, open_: bool
) -> None:
    assert (
        is_open(
            evidence=evidence, last_activity=NOON - quiet_for, rated_after=rated_after, now=NOON
        )
        is open_
    )


@pytest.mark.parametrize(
    ("listened", "duration", "resume"),
    [
        (0, 600.0, 0),
        (130, 600.0, 130),
        (589, 600.0, 589),
        (590, 600.0, 0),  # within ten seconds of the end: start again
        (600, 600.0, 0),
        (130, None, 0),
        (130, math.nan, 0),
    ],
)
def test_an_open_practice_resumes_where_its_playing_reached(
    listened: int, duration: float | None, resume: int
) -> None:
    assert resume_seconds(listened, duration) == resume


START = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def test_a_session_played_here_ends_at_the_players_last_report() -> None:
    paused = START + timedelta(minutes=25)

    end = ended_at(
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=START,
        listened_seconds=600,
        last_activity=paused,
    )

    assert end == paused


def test_a_session_played_here_ends_no_sooner_than_the_time_heard() -> None:
    end = ended_at(
        evidence=Evidence.OBSERVED_PLAYBACK,
        started_at=START,
        listened_seconds=600,
        last_activity=START,
    )

    assert end == START + timedelta(minutes=10)


@pytest.mark.parametrize("evidence", [Evidence.SELF_REPORT, Evidence.STAFF_ATTESTED])
def test_a_logged_practice_ends_when_its_time_is_up_however_late_it_arrived(
    evidence: Evidence,
) -> None:
    end = ended_at(
        evidence=evidence,
        started_at=START,
        listened_seconds=1200,
        last_activity=START + timedelta(hours=5),
    )

    assert end == START + timedelta(minutes=20)


# --- practice kinds: the catalog's and Other ---------------------------------------------------


def test_the_practice_kinds_are_the_catalogs_and_other() -> None:
    assert [kind.value for kind in PracticeKind] == [kind.value for kind in Kind] + ["other"]


@pytest.mark.parametrize(
    ("kind", "label", "name"),
    [
        ("yoga", "", "Yoga"),
        ("body_scan", "", "Body scan"),
        ("other", "Swim", "Swim"),
        ("other", "", "Other practice"),
    ],
)
def test_a_practice_without_a_session_is_named_by_its_kind_or_its_own_name(
    kind: str, label: str, name: str
) -> None:
    assert practice_name(kind, label) == name


def test_an_other_practices_name_is_one_trimmed_line_of_at_most_40_characters() -> None:
    assert clean_other_label("other", "  12-step\nmeeting \u202e ") == "12-step meeting"
    assert clean_other_label("other", "x" * 40) == "x" * 40
    assert clean_other_label("yoga", "   ") == ""
    with pytest.raises(FieldError, match=r"40 characters or fewer \(this one has 41\)"):
        clean_other_label("other", "x" * 41)
    with pytest.raises(FieldError, match="only when its kind is Other"):
        clean_other_label("yoga", "Walk")
