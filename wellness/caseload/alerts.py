"""Alerts as a care team reads them: with the rating that raised them (its level, tags and note)
and who acknowledged them, when, with what note. Each loader reads in a fixed number of queries.

The source rating is found through `Alert.source_type`/`source_id` ("checkin": a SUDS rating,
quick or around a session; "gad7": a GAD-7 response).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, ContextTag
from wellness.db import paged
from wellness.lib.paging import Page

ALERTS_PER_PAGE = 10

_CONTEXT_LABELS = {
    CheckinContext.QUICK: "Check-in",
    CheckinContext.BEFORE_SESSION: "Before a session",
    CheckinContext.AFTER_SESSION: "After a session",
}


@dataclass(frozen=True, slots=True)
class RaisedBy:
    """The rating that raised an alert, as the patient gave it."""

    label: str  # "Check-in", "Before a session", "After a session", "GAD-7"
    occurred_at: datetime
    tags: tuple[str, ...] = ()  # labels, e.g. "Can't sleep"
    note: str = ""


@dataclass(frozen=True, slots=True)
class AlertView:
    id: int
    patient_id: int
    patient_name: str
    reason: AlertReason
    value: int
    detail: str
    created_at: datetime
    raised_by: RaisedBy | None  # None once the rating itself is gone
    acknowledged_at: datetime | None
    acknowledged_by: str  # the name, "" while open (or when that account is gone)
    acknowledged_by_id: int | None
    note: str  # the acknowledgement's note

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None


async def describe(alerts: Sequence[Alert]) -> list[AlertView]:
    """`alerts` with their source ratings and the names involved, in the order given."""
    checkin_ids = {alert.source_id for alert in alerts if alert.source_type == "checkin"}
    gad7_ids = {alert.source_id for alert in alerts if alert.source_type == "gad7"}
    checkins: dict[int, Checkin] = {}
    if checkin_ids:
        checkins = {row.id: row for row in await Checkin.filter(id__in=checkin_ids)}
    gad7s: dict[int, datetime] = {}
    if gad7_ids:
        gad7s = dict(await Gad7Response.filter(id__in=gad7_ids).values_list("id", "occurred_at"))
    people = {alert.patient_id for alert in alerts}
    people |= {alert.acknowledged_by_id for alert in alerts if alert.acknowledged_by_id}
    names = await accounts.display_names(people)
    views = []
    for alert in alerts:
        raised_by: RaisedBy | None = None
        if alert.source_type == "checkin" and alert.source_id in checkins:
            raised_by = _from_checkin(checkins[alert.source_id])
        elif alert.source_type == "gad7" and alert.source_id in gad7s:
            raised_by = RaisedBy("GAD-7", gad7s[alert.source_id])
        views.append(
            AlertView(
                id=alert.id,
                patient_id=alert.patient_id,
                patient_name=str(names.get(alert.patient_id, "")),
                reason=alert.reason,
                value=alert.value,
                detail=alert.detail,
                created_at=alert.created_at,
                raised_by=raised_by,
                acknowledged_at=alert.acknowledged_at,
                acknowledged_by=str(names.get(alert.acknowledged_by_id or 0, "")),
                acknowledged_by_id=alert.acknowledged_by_id,
                note=alert.acknowledgement_note,
            )
        )
    return views


def _from_checkin(checkin: Checkin) -> RaisedBy:
    tags = tuple(tag_label(tag) for tag in checkin.tags)
    return RaisedBy(_CONTEXT_LABELS[checkin.context], checkin.occurred_at, tags, checkin.note)


def tag_label(tag: str) -> str:
    try:
        return ContextTag(tag).label
    except ValueError:  # a tag the vocabulary no longer has: shown as stored
        return tag


async def open_alerts_for(viewer: User, *, limit: int = 50) -> list[AlertView]:
    """The open alerts of this therapist's current caseload, newest first, described."""
    found = await care.open_alerts(viewer, limit=limit)
    return await describe([item.alert for item in found])


async def open_alerts_of(patient: User) -> list[AlertView]:
    """One patient's open alerts, newest first. The caller has checked who may see them."""
    alerts = await Alert.filter(patient_id=patient.id, acknowledged_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    return await describe(alerts)


async def alert_history(
    patient: User, *, page: int = 1, per_page: int = ALERTS_PER_PAGE
) -> Page[AlertView]:
    """Every alert of one patient, open or acknowledged, newest first, a page at a time."""
    found = await paged(
        Alert.filter(patient_id=patient.id), "-created_at", "-id", page=page, per_page=per_page
    )
    return Page(await describe(found.items), found.page, found.pages, found.total)
