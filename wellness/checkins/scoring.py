"""The SUDS and GAD-7 scales, GAD-7 scoring and check-in vocabularies. Pure: no I/O, `now` is
always an argument.

The one statement of both scales: forms, API schemas, alert rules, charts and templates take
their ranges and bands from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Final

from wellness.checkins.scales import SUDS_MAX as SUDS_MAX
from wellness.checkins.scales import SUDS_MIN as SUDS_MIN
from wellness.lib.text import without_bidi_controls
from wellness.lib.validation import FieldError
from wellness.lib.vocabulary import Vocabulary

MAX_NOTE = 500
MAX_TAGS = 6

GAD7_ITEMS = (
    "Feeling nervous, anxious or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid as if something awful might happen",
)
GAD7_ANSWERS = ("Not at all", "Several days", "More than half the days", "Nearly every day")
# GAD-7 (Spitzer et al. 2006): seven items scored 0-3, so totals run from 0 to 21.
GAD7_ANSWER_MAX: Final = len(GAD7_ANSWERS) - 1
GAD7_MAX: Final = GAD7_ANSWER_MAX * len(GAD7_ITEMS)


class CheckinContext(StrEnum):
    """When the rating was given: any time, or around a practice session."""

    QUICK = "quick"
    BEFORE_SESSION = "before_session"
    AFTER_SESSION = "after_session"


def side_of_practice(context: str) -> CheckinContext:
    """Where a rating linked to a practice stands: after it (given as it ended, or copied from
    a quick check-in: see `adopts_as_after`), or before it (given as the practice began, or a
    quick check-in the practice adopted: see `adopts_checkin`)."""
    if context == CheckinContext.AFTER_SESSION:
        return CheckinContext.AFTER_SESSION
    return CheckinContext.BEFORE_SESSION


# A practice logged afterwards carries the client's clock, a check-in the server's: a check-in
# this soon after `started_at` still counts as made before it (a client a little behind, or
# one that sends whole seconds). Less than any practice worth rating takes.
CLOCK_SLACK: Final = timedelta(minutes=1)


def adopts_checkin(
    context: str,
    practice_id: int | None,
    occurred_at: datetime,
    *,
    started_at: datetime,
    within: timedelta,
) -> bool:
    """Whether a practice begun without a before rating takes the patient's latest rating as
    one: a quick check-in no other practice has claimed, made at most `within` before the
    start (or `CLOCK_SLACK` after it; a clinic turns this off with a `within` of 0). Both are
    the same SUDS "right now", minutes apart; asking again right after a check-in is the
    friction that makes people skip the before rating altogether."""
    # In UTC: two times that share a zone compare by their wall clocks, an hour off across DST.
    start, moment = started_at.astimezone(UTC), occurred_at.astimezone(UTC)
    return (
        within > timedelta(0)
        and context == CheckinContext.QUICK
        and practice_id is None
        and start - within <= moment <= start + CLOCK_SLACK
    )


def adopts_as_after(
    occurred_at: datetime, *, started_at: datetime, ended_at: datetime, within: timedelta
) -> bool:
    """Whether a quick check-in counts as the after rating of the practice it follows: made
    once the practice had ended (`CLOCK_SLACK` before, for a client clock a little ahead) and at
    most `within` after (a clinic turns this off with a `within` of 0). The caller has checked
    the rest: the practice is the patient's latest, was played here and completed, has no after
    rating yet and was recorded before the check-in arrived (so a check-in it took as its
    before rating never closes it too). Patients who finish a session and check in on the home
    page minutes later have rated it; without this the practice would teach nothing. A
    check-in made while the practice was, by its own times, still going on is not a rating
    after it."""
    # In UTC, as in `adopts_checkin`. `started_at` bounds the slack for a practice shorter
    # than it: a check-in from before the practice began is never its after rating.
    moment, end = occurred_at.astimezone(UTC), ended_at.astimezone(UTC)
    earliest = max(started_at.astimezone(UTC), end - CLOCK_SLACK)
    return within > timedelta(0) and earliest <= moment <= end + within


class ContextTag(StrEnum):
    CRAVING = "craving"
    CANT_SLEEP = "cant-sleep"
    AFTER_DOSE_CHANGE = "after-dose-change"
    WITHDRAWAL = "withdrawal-symptoms"
    PANIC = "panic"
    STRESS = "stress"
    PAIN = "pain"
    LOW_MOOD = "low-mood"
    CONFLICT = "conflict"
    CALM = "calm"

    @property
    def label(self) -> str:
        return {
            ContextTag.CRAVING: "Craving",
            ContextTag.CANT_SLEEP: "Can't sleep",
            ContextTag.AFTER_DOSE_CHANGE: "After a dose change",
            ContextTag.WITHDRAWAL: "Withdrawal symptoms",
            ContextTag.PANIC: "Panic",
            ContextTag.STRESS: "Stress",
            ContextTag.PAIN: "Pain",
            ContextTag.LOW_MOOD: "Low mood",
            ContextTag.CONFLICT: "Conflict with someone",
            ContextTag.CALM: "Feeling calm",
        }[self]


class Gad7Band(Vocabulary):
    """The severity bands of a GAD-7 total, mildest first (their totals: `GAD7_BANDS`)."""

    MINIMAL = "minimal"
    MILD = "mild"
    MODERATE = "moderate"
    SEVERE = "severe"

    @property
    def lowest(self) -> int:
        return GAD7_BANDS[self][0]

    @property
    def highest(self) -> int:
        return GAD7_BANDS[self][1]


# The totals each band covers (Spitzer et al. 2006): no gaps, together 0 to GAD7_MAX.
GAD7_BANDS: Final[dict[Gad7Band, tuple[int, int]]] = {
    Gad7Band.MINIMAL: (0, 4),
    Gad7Band.MILD: (5, 9),
    Gad7Band.MODERATE: (10, 14),
    Gad7Band.SEVERE: (15, GAD7_MAX),
}


@dataclass(frozen=True, slots=True)
class Gad7Score:
    answers: tuple[int, ...]
    total: int
    band: Gad7Band


def gad7_band(total: int) -> Gad7Band:
    """The band a total falls in; a total beyond the scale falls in the band at that end."""
    return next((band for band in Gad7Band if total <= band.highest), Gad7Band.SEVERE)


def score_gad7(answers: Sequence[int]) -> Gad7Score:
    if len(answers) != len(GAD7_ITEMS):
        raise FieldError("answers", f"Answer all {len(GAD7_ITEMS)} questions.")
    for number, answer in enumerate(answers, start=1):
        if (
            isinstance(answer, bool)
            or not isinstance(answer, int)
            or not 0 <= answer <= GAD7_ANSWER_MAX
        ):
            message = f"Question {number} needs an answer 0-{GAD7_ANSWER_MAX}."
            raise FieldError(f"answers[{number - 1}]", message)
    total = sum(answers)
    return Gad7Score(tuple(answers), total, gad7_band(total))


def gad7_due(last_taken: datetime | None, *, now: datetime, interval_days: int) -> bool:
    """Due by elapsed time since the last one (a moment), whatever the hour or the date.
    Compared in UTC: aware datetimes sharing a zone subtract by wall clock, off by an hour
    across a DST change."""
    if last_taken is None:
        return True
    return now.astimezone(UTC) - last_taken.astimezone(UTC) >= timedelta(days=interval_days)


def clean_level(field: str, level: int) -> int:
    if isinstance(level, bool) or not isinstance(level, int) or not SUDS_MIN <= level <= SUDS_MAX:
        raise FieldError(field, f"Choose a whole number from {SUDS_MIN} to {SUDS_MAX}.")
    return level


def clean_note(note: str) -> str:
    text = without_bidi_controls(note.replace("\r\n", "\n").replace("\x00", "")).strip()
    if len(text) > MAX_NOTE:
        raise FieldError("note", f"Keep the note under {MAX_NOTE} characters.")
    return text


def clean_tags(tags: Sequence[str]) -> list[str]:
    cleaned: list[str] = []
    for tag in tags:
        try:
            value = ContextTag(tag.strip().lower()).value
        except ValueError:
            allowed = ", ".join(member.value for member in ContextTag)
            raise FieldError("tags", f"Unknown tag {tag[:40]!r}; choose from {allowed}.") from None
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_TAGS:
        raise FieldError("tags", f"Choose at most {MAX_TAGS} tags.")
    return cleaned


def clean_moment(field: str, moment: datetime, *, now: datetime, backdate_days: int) -> datetime:
    """When something happened: aware, not in the future, not older than the clinic allows."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise FieldError(field, "Give a time with a time zone offset, e.g. 2026-11-24T18:30:00Z.")
    # Elapsed time, not calendar days or wall clocks. With `now` in UTC, the two have different
    # zones unless both are UTC, so they subtract as instants (two times in one zone subtract as
    # wall clocks, across a DST change too). Unlike converting `moment` to UTC, this cannot
    # overflow at the calendar's edges (year 1 at a positive offset, year 9999 at a negative).
    ahead = moment - now.astimezone(UTC)
    # A little slack for clocks that run slightly ahead.
    if ahead > timedelta(minutes=5):
        raise FieldError(field, "That time is in the future.")
    if ahead < -timedelta(days=backdate_days):
        raise FieldError(field, f"Entries can be back-dated by at most {backdate_days} days.")
    return moment
