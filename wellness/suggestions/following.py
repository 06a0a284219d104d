"""Which list of suggestions a practice followed when nobody said. Pure.

A practice started from a suggestion card names its list (`?suggestion=`, or `suggestion_id`
in the API). One started otherwise (from the catalog, or by an API client that does not send
the id) still followed the patient's latest list when that list offered its session and was
shown shortly before: the patient chose among those sessions moments earlier. Without the link
the practice is lost to off-policy review, which reads only followed lists.

Kept narrow, so a link is never a guess across visits: only the latest list shown before the
practice began counts (a newer list without the session means the patient moved on), only
within FOLLOW_WINDOW, and only a list no practice has followed yet.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from wellness.checkins.scoring import CLOCK_SLACK

FOLLOW_WINDOW: Final = timedelta(hours=1)


def within_follow_window(shown_at: datetime, started_at: datetime) -> bool:
    """Whether a list shown at `shown_at` can be the one a practice begun at `started_at`
    followed: shown at most FOLLOW_WINDOW before, or up to CLOCK_SLACK after (a logged
    practice carries the client's clock, the list the server's). Elapsed time, in UTC."""
    shown, started = shown_at.astimezone(UTC), started_at.astimezone(UTC)
    return started - FOLLOW_WINDOW <= shown <= started + CLOCK_SLACK
