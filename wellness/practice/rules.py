"""What a practice record may hold and when it counts as complete. Pure."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from enum import StrEnum

from wellness.lib.text import one_line
from wellness.lib.validation import FieldError
from wellness.lib.vocabulary import Vocabulary

MAX_PRACTICE_MINUTES = 6 * 60
# Media can play at up to 2x; a little slack covers clock skew between progress reports.
MAX_PLAYBACK_RATE = 2.0
PROGRESS_SLACK_SECONDS = 10
# A practice played here stays open (resumable, its after-rating on offer) this long after the
# player last reported, unless it has been rated after.
OPEN_PRACTICE_FOR = timedelta(hours=1)
# Resuming within this many seconds of the end starts again from the beginning instead.
RESUME_END_MARGIN_SECONDS = 10


class Evidence(StrEnum):
    """How we know the practice happened, weakest to strongest (see clinical notes)."""

    SELF_REPORT = "self_report"
    OBSERVED_PLAYBACK = "observed_playback"
    STAFF_ATTESTED = "staff_attested"

    @property
    def label(self) -> str:
        return {
            Evidence.SELF_REPORT: "Logged by you",
            Evidence.OBSERVED_PLAYBACK: "Played here",
            Evidence.STAFF_ATTESTED: "Confirmed by staff",
        }[self]


class PracticeKind(Vocabulary):
    """What kind a practice record is: one of the catalog's kinds (`catalog.kinds.Kind`, the same
    values), or `OTHER`, for practice the catalog has no kind for (a walk, a swim, a 12-step
    meeting) that a patient logs, named by its `other_label`. Only the catalog's kinds can be
    assigned, played or suggested, so an "other" practice never counts towards a kind
    assignment and the suggestion engine never reads one (it reads practice of sessions)."""

    MEDITATION = "meditation"
    BREATHING = "breathing"
    YOGA = "yoga"
    BODY_SCAN = "body_scan"
    GROUNDING = "grounding"
    SLEEP = "sleep"
    OTHER = "other"


MAX_OTHER_LABEL = 40
OTHER_LABEL_ONLY_FOR_OTHER = "Name the practice only when its kind is Other."


def clean_other_label(kind: str, label: str) -> str:
    """The name a patient gave a practice of kind Other, on one line and trimmed ("" for none);
    FieldError("other_label") when it is too long, or given with another kind."""
    text = one_line(label)
    if not text:
        return ""
    if kind != PracticeKind.OTHER:
        raise FieldError("other_label", OTHER_LABEL_ONLY_FOR_OTHER)
    if len(text) > MAX_OTHER_LABEL:
        raise FieldError(
            "other_label",
            f"Keep the name of the practice to {MAX_OTHER_LABEL} characters or fewer "
            f"(this one has {len(text)}).",
        )
    return text


def practice_name(kind: str, other_label: str) -> str:
    """How a practice without a session is named: its kind ("Yoga"), or for Other the name the
    patient gave it ("Walk"), else "Other practice"."""
    if kind == PracticeKind.OTHER:
        return other_label or "Other practice"
    return PracticeKind(kind).label


def is_complete(listened_seconds: int, duration_seconds: float | None, fraction: float) -> bool:
    """A played session is complete once `fraction` of its length was listened to."""
    if not duration_seconds or not math.isfinite(duration_seconds) or duration_seconds <= 0:
        return False
    return listened_seconds >= fraction * duration_seconds


def counts_as_complete(
    *,
    has_media: bool,
    completed: bool,
    listened_seconds: int,
    duration_seconds: float | None,
    fraction: float,
) -> bool:
    """The one completion rule, for streaks and for what helped: media practice is judged by the
    current rule from the stored seconds, so the clinic can change the rule without losing
    data; a logged in-person or attested practice counts as reported."""
    if has_media:
        return is_complete(listened_seconds, duration_seconds, fraction)
    return completed


def log_counts_as_complete(
    evidence: str,
    completed: bool,
    listened_seconds: int,
    duration_seconds: float | None,
    fraction: float,
) -> bool:
    """`counts_as_complete` for a stored practice log: one played here, or one that stored its
    media's length, is judged as media practice."""
    return counts_as_complete(
        has_media=evidence == Evidence.OBSERVED_PLAYBACK or duration_seconds is not None,
        completed=completed,
        listened_seconds=listened_seconds,
        duration_seconds=duration_seconds,
        fraction=fraction,
    )


def is_open(
    *, evidence: Evidence, last_activity: datetime, rated_after: bool, now: datetime
) -> bool:
    """A practice played here that the patient may still resume and rate afterwards."""
    if evidence != Evidence.OBSERVED_PLAYBACK or rated_after:
        return False
    return now - last_activity <= OPEN_PRACTICE_FOR


def ended_at(
    *, evidence: Evidence, started_at: datetime, listened_seconds: int, last_activity: datetime
) -> datetime:
    """When a practice ended, as far as we know: the player's last report for one played here
    (pauses make that later than the time heard), else its start plus the time it took (one
    logged from a queue hours later ended long before it arrived)."""
    if evidence == Evidence.OBSERVED_PLAYBACK:
        return max(last_activity, started_at + timedelta(seconds=listened_seconds))
    return started_at + timedelta(seconds=listened_seconds)


def resume_seconds(listened_seconds: int, duration_seconds: float | None) -> int:
    """Where an open practice resumes: where its playing reached (the played seconds, which
    are never ahead of what was heard), or the start when that was (nearly) the end."""
    if not duration_seconds or not math.isfinite(duration_seconds):
        return 0
    if listened_seconds >= duration_seconds - RESUME_END_MARGIN_SECONDS:
        return 0
    return max(0, listened_seconds)


def clean_listened(listened_seconds: int, duration_seconds: float | None) -> int:
    limit = MAX_PRACTICE_MINUTES * 60
    if duration_seconds and math.isfinite(duration_seconds):
        limit = min(limit, math.ceil(duration_seconds))
    if isinstance(listened_seconds, bool) or not 0 <= listened_seconds <= limit:
        raise FieldError("listened_seconds", f"Give a number of seconds from 0 to {limit}.")
    return listened_seconds


def plausible_listened(
    reported: int, *, already: int, elapsed_seconds: float, duration_seconds: float | None
) -> int:
    """Progress the server can vouch for: never backwards, never faster than playback can go
    since the practice began, never past the end."""
    ceiling = elapsed_seconds * MAX_PLAYBACK_RATE + PROGRESS_SLACK_SECONDS
    if duration_seconds and math.isfinite(duration_seconds):
        ceiling = min(ceiling, duration_seconds)
    return max(already, min(reported, int(ceiling)))


def clean_minutes(minutes: int) -> int:
    if isinstance(minutes, bool) or not 1 <= minutes <= MAX_PRACTICE_MINUTES:
        raise FieldError(
            "minutes", f"Give the minutes practised, from 1 to {MAX_PRACTICE_MINUTES}."
        )
    return minutes
