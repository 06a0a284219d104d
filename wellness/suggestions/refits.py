"""When the clinic-wide layer is fitted again: as soon as the clinic's ratings have grown by a
share, and otherwise once the fit is old and anything at all has changed.

A fixed timer alone ties learning to the wall clock, not to the data: a new clinic's first day,
or a clinic that logs a burst of ratings (an import, a group session, a patient simulation driven
through the API), would be served by a fit that has seen none of them for up to the timer's
length. Growth by a share keeps the number of fits logarithmic in the clinic's size (about 150
from 10 to 20,000 ratings at 5%), so a big clinic still refits mostly on the timer.

Pure: the caller counts the ratings and measures the fit's age, in whatever clock it has.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RatingsMark:
    """What a fit was made from: the number of the clinic's session ratings, the newest id and
    the sum of their ids. A rating joins the set when it is made, or when a practice adopts an
    older check-in (whose id may be below the newest); ratings leave it only when deleted. The
    sum tells an adoption and a deletion between two counts from no change at all, so equal
    marks mean equal data."""

    count: int
    newest: int | None
    id_sum: int = 0


@dataclass(frozen=True, slots=True)
class RefitSchedule:
    growth: float = 0.05  # refit once the ratings grew by this share of those fitted ...
    least_new: int = 4  # ... and by at least this many (two rated sessions)
    settle_after: float = 600.0  # seconds: any change refits once the fit is this old


APP_SCHEDULE = RefitSchedule()


def refit_due(
    fitted: RatingsMark, current: RatingsMark, age: float, schedule: RefitSchedule
) -> bool:
    """Whether a fit made from `fitted`, `age` seconds ago, should be replaced now that the
    clinic's ratings are `current`."""
    if current == fitted:
        return False
    added = current.count - fitted.count
    if added <= 0:
        # Ratings were deleted (a patient's data erased), perhaps as others came: never keep
        # them. Fewer ratings, or as many but other ones, says so; more cannot tell.
        return True
    return added >= max(schedule.least_new, schedule.growth * fitted.count) or (
        age >= schedule.settle_after
    )
