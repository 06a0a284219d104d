"""GAD-7 scoring and bands, and the cleaning of ratings, times, notes and tags. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from wellness.checkins.scoring import (
    GAD7_BANDS,
    GAD7_ITEMS,
    GAD7_MAX,
    SUDS_MAX,
    SUDS_MIN,
    CheckinContext,
    Gad7Band,
    adopts_as_after,
    adopts_checkin,
    clean_level,
    clean_moment,
    clean_note,
    clean_tags,
    gad7_band,
    gad7_due,
    score_gad7,
    side_of_practice,
)
from wellness.lib.validation import FieldError

NOW = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def answers_totalling(total: int) -> list[int]:
    """Seven answers 0-3 that add up to `total`."""
    answers = []
    for _ in GAD7_ITEMS:
        answer = min(3, total)
        answers.append(answer)
        total -= answer
    assert total == 0
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, Gad7Band.MINIMAL),
        (4, Gad7Band.MINIMAL),
        (5, Gad7Band.MILD),
        (9, Gad7Band.MILD),
        (10, Gad7Band.MODERATE),
        (14, Gad7Band.MODERATE),
        (15, Gad7Band.SEVERE),
        (21, Gad7Band.SEVERE),
    ],
)
def test_gad7_bands_change_exactly_at_5_10_and_15(total: int, band: Gad7Band) -> None:
    score = score_gad7(answers_totalling(total))

    assert score.total == total
    assert score.band is band
    assert gad7_band(total) is band


def test_gad7_keeps_the_answers_as_given() -> None:
    score = score_gad7([0, 1, 2, 3, 2, 1, 0])

    assert score.answers == (0, 1, 2, 3, 2, 1, 0)
    assert score.total == 9


def test_gad7_band_labels_read_well() -> None:
    assert [band.label for band in Gad7Band] == ["Minimal", "Mild", "Moderate", "Severe"]


def test_the_scales_run_0_to_10_and_0_to_21() -> None:
    assert (SUDS_MIN, SUDS_MAX) == (0, 10)
    assert GAD7_MAX == 21
    assert score_gad7([3] * len(GAD7_ITEMS)).total == GAD7_MAX


def test_gad7_bands_cover_every_total_once_mildest_first() -> None:
    assert [(band.lowest, band.highest) for band in Gad7Band] == [
        (0, 4),
        (5, 9),
        (10, 14),
        (15, 21),
    ]
    assert list(GAD7_BANDS) == list(Gad7Band)
    totals = [total for band in Gad7Band for total in range(band.lowest, band.highest + 1)]
    assert totals == list(range(GAD7_MAX + 1))


@pytest.mark.parametrize(("total", "band"), [(-1, Gad7Band.MINIMAL), (22, Gad7Band.SEVERE)])
def test_a_total_beyond_the_scale_falls_in_the_band_at_that_end(total: int, band: Gad7Band) -> None:
    assert gad7_band(total) is band


@pytest.mark.parametrize("answers", [[], [1] * 6, [1] * 8])
def test_gad7_needs_exactly_seven_answers(answers: list[int]) -> None:
    with pytest.raises(FieldError) as refused:
        score_gad7(answers)

    assert refused.value.field == "answers"


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([4, 0, 0, 0, 0, 0, 0], "answers[0]"),
        ([0, 0, 0, 0, 0, 0, -1], "answers[6]"),
        ([0, 0, True, 0, 0, 0, 0], "answers[2]"),
        ([0, 0, 0, 1.0, 0, 0, 0], "answers[3]"),
        ([0, "2", 0, 0, 0, 0, 0], "answers[1]"),
    ],
)
def test_gad7_names_the_first_answer_out_of_range(answers: list[object], field: str) -> None:
    with pytest.raises(FieldError) as refused:
        score_gad7(answers)  # type: ignore[arg-type]

    assert refused.value.field == field


def test_gad7_is_due_first_and_then_every_interval() -> None:
    assert gad7_due(None, now=NOW, interval_days=14) is True
    assert gad7_due(NOW - timedelta(days=13, hours=23), now=NOW, interval_days=14) is False
    assert gad7_due(NOW - timedelta(days=14), now=NOW, interval_days=14) is True
    assert gad7_due(NOW - timedelta(days=7), now=NOW, interval_days=7) is True


@pytest.mark.parametrize("level", [0, 5, 10])
def test_levels_0_to_10_are_clean(level: int) -> None:
    assert clean_level("level", level) == level


@pytest.mark.parametrize("level", [-1, 11, True, False, 4.5, "7", None])
def test_other_levels_are_refused_naming_the_field(level: object) -> None:
    with pytest.raises(FieldError) as refused:
        clean_level("anxiety_after", level)  # type: ignore[arg-type]

    assert refused.value.field == "anxiety_after"


def test_a_moment_with_any_offset_is_accepted() -> None:
    berlin_evening = datetime(2026, 11, 24, 19, 0, tzinfo=timezone(timedelta(hours=1)))

    assert clean_moment("occurred_at", berlin_evening, now=NOW, backdate_days=14) == berlin_evening


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(FieldError) as refused:
        clean_moment("started_at", datetime(2026, 11, 24, 18, 0), now=NOW, backdate_days=14)  # noqa: DTZ001

    assert refused.value.field == "started_at"
    assert "offset" in refused.value.message


def test_a_clock_up_to_five_minutes_ahead_is_tolerated_but_not_more() -> None:
    assert clean_moment("t", NOW + timedelta(minutes=5), now=NOW, backdate_days=14)

    with pytest.raises(FieldError, match="future"):
        clean_moment("t", NOW + timedelta(minutes=5, seconds=1), now=NOW, backdate_days=14)


def test_back_dating_stops_at_the_clinics_window() -> None:
    assert clean_moment("t", NOW - timedelta(days=14), now=NOW, backdate_days=14)

    with pytest.raises(FieldError, match="14 days"):
        clean_moment("t", NOW - timedelta(days=14, seconds=1), now=NOW, backdate_days=14)


def test_notes_are_trimmed_and_capped() -> None:
    assert clean_note("  after group\r\nfelt ok\x00  ") == "after group\nfelt ok"
    assert clean_note("x" * 500) == "x" * 500
    with pytest.raises(FieldError) as refused:
        clean_note("x" * 501)
    assert refused.value.field == "note"


def test_tags_are_normalised_and_deduplicated_in_order() -> None:
    assert clean_tags([" Craving ", "cant-sleep", "craving", "CALM"]) == [
        "craving",
        "cant-sleep",
        "calm",
    ]
    assert clean_tags([]) == []


def test_an_unknown_tag_is_refused_listing_the_choices() -> None:
    with pytest.raises(FieldError) as refused:
        clean_tags(["craving", "hungry"])

    assert refused.value.field == "tags"
    assert "'hungry'" in refused.value.message
    assert "after-dose-change" in refused.value.message


def test_at_most_six_distinct_tags() -> None:
    six = ["craving", "cant-sleep", "panic", "stress", "pain", "calm"]

    assert clean_tags([*six, "craving"]) == six
    with pytest.raises(FieldError, match="at most 6"):
        clean_tags([*six, "conflict"])


WINDOW = timedelta(minutes=15)
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(
    ("context", "practice_id", "minutes_before", "adopted"),
    [
        (CheckinContext.QUICK, None, 0, True),
        (CheckinContext.QUICK, None, 15, True),
        (CheckinContext.QUICK, None, 15 + 1 / 60, False),
        (CheckinContext.QUICK, None, -1 / 60, True),  # a second after: the clocks differ
        (CheckinContext.QUICK, None, -1, True),  # CLOCK_SLACK after
        (CheckinContext.QUICK, None, -61 / 60, False),  # after the practice began
        (CheckinContext.QUICK, 12, 1, False),  # another practice took it
        (CheckinContext.BEFORE_SESSION, 12, 1, False),
        (CheckinContext.AFTER_SESSION, 12, 1, False),
    ],
)
def test_a_practice_adopts_only_an_unclaimed_quick_check_in_made_just_before_it(
    context: CheckinContext, practice_id: int | None, minutes_before: float, adopted: bool
) -> None:
    occurred_at = NOW - timedelta(minutes=minutes_before)

    verdict = adopts_checkin(context, practice_id, occurred_at, started_at=NOW, within=WINDOW)

    assert verdict is adopted


def test_a_window_of_zero_turns_it_off() -> None:
    assert not adopts_checkin("quick", None, NOW, started_at=NOW, within=timedelta(0))


@pytest.mark.parametrize(
    ("checked_in", "started"),
    [
        # Spring forward: 01:55 CET is ten minutes before 03:05 CEST (70 on the wall clock).
        (datetime(2026, 3, 29, 1, 55, tzinfo=BERLIN), datetime(2026, 3, 29, 3, 5, tzinfo=BERLIN)),
        # Fall back: 02:55 CEST is ten minutes before 02:05 CET (after it on the wall clock).
        (
            datetime(2026, 10, 25, 2, 55, fold=0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 2, 5, fold=1, tzinfo=BERLIN),
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_the_window_is_elapsed_time_across_a_dst_change(
    checked_in: datetime, started: datetime
) -> None:
    assert (started.astimezone(UTC) - checked_in.astimezone(UTC)) == timedelta(minutes=10)

    assert adopts_checkin("quick", None, checked_in, started_at=started, within=WINDOW)


def test_the_same_moment_in_another_zone_is_the_same_moment() -> None:
    east = (NOW - timedelta(minutes=5)).astimezone(timezone(timedelta(hours=9)))

    assert adopts_checkin("quick", None, east, started_at=NOW, within=WINDOW)


@pytest.mark.parametrize(
    ("context", "side"),
    [
        ("quick", CheckinContext.BEFORE_SESSION),
        ("before_session", CheckinContext.BEFORE_SESSION),
        ("after_session", CheckinContext.AFTER_SESSION),
    ],
)
def test_a_linked_rating_stands_before_its_practice_unless_given_after_it(
    context: str, side: CheckinContext
) -> None:
    assert side_of_practice(context) is side


ENDED = NOW + timedelta(minutes=10)


@pytest.mark.parametrize(
    ("minutes_after_end", "adopted"),
    [
        (0, True),
        (15, True),
        (15 + 1 / 60, False),
        (-1, True),  # a client clock a minute ahead of the server's
        (-1 - 1 / 60, False),  # the practice was still going on, by its own times
        (-10, False),  # at the start
    ],
)
def test_a_check_in_counts_after_a_practice_from_its_end_to_the_window_after_it(
    minutes_after_end: float, adopted: bool
) -> None:
    occurred_at = ENDED + timedelta(minutes=minutes_after_end)

    verdict = adopts_as_after(occurred_at, started_at=NOW, ended_at=ENDED, within=WINDOW)

    assert verdict is adopted


def test_a_check_in_before_a_practice_shorter_than_the_slack_never_counts_after_it() -> None:
    started = NOW
    ended = NOW + timedelta(seconds=20)

    assert not adopts_as_after(
        NOW - timedelta(seconds=10), started_at=started, ended_at=ended, within=WINDOW
    )
    assert adopts_as_after(NOW, started_at=started, ended_at=ended, within=WINDOW)


def test_an_after_window_of_zero_turns_it_off() -> None:
    assert not adopts_as_after(ENDED, started_at=NOW, ended_at=ENDED, within=timedelta(0))


@pytest.mark.parametrize(
    ("ended", "checked_in"),
    [
        # Spring forward: 03:05 CEST is ten minutes after 01:55 CET (70 on the wall clock).
        (datetime(2026, 3, 29, 1, 55, tzinfo=BERLIN), datetime(2026, 3, 29, 3, 5, tzinfo=BERLIN)),
        # Fall back: 02:05 CET is ten minutes after 02:55 CEST (before it on the wall clock).
        (
            datetime(2026, 10, 25, 2, 55, fold=0, tzinfo=BERLIN),
            datetime(2026, 10, 25, 2, 5, fold=1, tzinfo=BERLIN),
        ),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_the_after_window_is_elapsed_time_across_a_dst_change(
    ended: datetime, checked_in: datetime
) -> None:
    started = ended - timedelta(minutes=10)

    assert adopts_as_after(checked_in, started_at=started, ended_at=ended, within=WINDOW)
    # Twenty minutes after, by elapsed time, is out of the window whatever the wall clock says.
    later = (checked_in.astimezone(UTC) + timedelta(minutes=10)).astimezone(BERLIN)
    assert not adopts_as_after(later, started_at=started, ended_at=ended, within=WINDOW)


def test_after_a_practice_the_same_moment_in_another_zone_is_the_same_moment() -> None:
    west = (ENDED + timedelta(minutes=5)).astimezone(timezone(timedelta(hours=-7)))

    assert adopts_as_after(west, started_at=NOW, ended_at=ENDED, within=WINDOW)


def test_a_note_keeps_its_words_and_lines_but_no_bidirectional_controls() -> None:
    hebrew = "\u05dc\u05d9\u05dc\u05d4 \u05d8\u05d5\u05d1"  # "good night"
    typed = f"Felt \u202eesuoh\u202c better\r\n{hebrew} \u2067ok\u2069"

    assert clean_note(typed) == f"Felt esuoh better\n{hebrew} ok"
