"""When a rating raises a safety alert. Pure: thresholds come from the clinic's settings, the
scales and the GAD-7 bands from `checkins.scoring` (pure too, so no import cycle)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from wellness.checkins.scoring import GAD7_MAX, SUDS_MAX, Gad7Band


class AlertReason(StrEnum):
    HIGH_DISTRESS = "high_distress"
    SEVERE_GAD7 = "severe_gad7"
    WORSE_AFTER_SESSION = "worse_after_session"

    @property
    def label(self) -> str:
        return {
            AlertReason.HIGH_DISTRESS: "High distress rating",
            AlertReason.SEVERE_GAD7: "GAD-7 in the severe range",
            AlertReason.WORSE_AFTER_SESSION: "Markedly worse after a session",
        }[self]


@dataclass(frozen=True, slots=True)
class AlertThresholds:
    alert_level: int = 8
    worse_by: int = 3


@dataclass(frozen=True, slots=True)
class AlertCause:
    reason: AlertReason
    value: int
    detail: str


def for_rating(level: int, thresholds: AlertThresholds) -> AlertCause | None:
    if level >= thresholds.alert_level:
        return AlertCause(AlertReason.HIGH_DISTRESS, level, f"Rated distress {level}/{SUDS_MAX}")
    return None


def for_session(before: int | None, after: int, thresholds: AlertThresholds) -> list[AlertCause]:
    """The after-session rating can be high on its own, markedly worse than before, or both."""
    causes = [cause for cause in [for_rating(after, thresholds)] if cause is not None]
    if before is not None and after - before >= thresholds.worse_by:
        causes.append(
            AlertCause(
                AlertReason.WORSE_AFTER_SESSION,
                after,
                f"Rated {before}/{SUDS_MAX} before a session and {after}/{SUDS_MAX} after",
            )
        )
    return causes


def for_gad7(total: int) -> AlertCause | None:
    if total >= Gad7Band.SEVERE.lowest:
        return AlertCause(AlertReason.SEVERE_GAD7, total, f"GAD-7 total {total}/{GAD7_MAX}")
    return None
