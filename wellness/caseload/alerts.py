"""Alerts as a care team reads them: with the rating that raised them (its level, tags and note)
and who acknowledged them, when, with what note. Each loader reads in a fixed number of queries.

The source rating is found through `Alert.source_type`/`source_id` ("checkin": a SUDS rating,
quick or around a session; "gad7": a GAD-7 response).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from wellness.accounts import permissions
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.care.policy import AlertReason
from wellness.caseload.kept import KeyedCache, care_token
from wellness.checkins.models import Checkin, Gad7Response
from wellness.checkins.scoring import CheckinContext, ContextTag
from wellness.db import paged, raw_query
from wellness.lib.paging import Page
from wellness.practice.history import moment

ALERTS_PER_PAGE = 10
# Per worker: each therapist's open-alert count, under the care token it was counted at.
_open_counts: KeyedCache[int] = KeyedCache()

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
    """The open alerts of this therapist's current caseload, newest first, described as
    `describe` does (`care.open_alerts`, then `describe`), in one query, kept until the care
    data changes: the dashboard shows them on every view."""
    if not permissions.can_see_caseload(viewer.role):
        return []
    return await open_alerts_under(viewer, await care_token(), limit=limit)


async def open_alerts_under(viewer: User, token: str | None, *, limit: int = 50) -> list[AlertView]:
    """`open_alerts_for` with the care-data change token already read (before the data: see
    catalog/cache.py) by a caller that reads other kept care data under it too."""
    if not permissions.can_see_caseload(viewer.role):
        return []
    kept = _open_alerts.split({viewer.id: (token, limit)})[0].get(viewer.id)
    if kept is None:
        kept = tuple(await _read_open_alerts(viewer, limit))
        if token is not None:
            _open_alerts.store({viewer.id: (token, limit)}, {viewer.id: kept})
    return list(kept)


# By therapist id, under the care-data change token (the alerts, the care teams, the check-ins
# and GAD-7 that raised them and the names shown all renew it) and the limit.
_open_alerts: KeyedCache[tuple[AlertView, ...]] = KeyedCache()


async def _read_open_alerts(viewer: User, limit: int) -> list[AlertView]:
    connection, sql = raw_query()
    therapist, most = sql.param(viewer.id), sql.param(limit)
    _, rows = await connection.execute_query(
        "SELECT a.id, a.patient_id, p.display_name, a.reason, a.value, a.detail, a.created_at, "  # noqa: S608
        "a.acknowledged_at, a.acknowledged_by_id, b.display_name, a.acknowledgement_note, "
        "c.context, c.occurred_at, c.tags, c.note, g.occurred_at "
        "FROM care_alerts a LEFT JOIN users p ON p.id = a.patient_id "
        "LEFT JOIN users b ON b.id = a.acknowledged_by_id "
        "LEFT JOIN checkins c ON a.source_type = 'checkin' AND c.id = a.source_id "
        "LEFT JOIN gad7_responses g ON a.source_type = 'gad7' AND g.id = a.source_id "
        "WHERE a.acknowledged_at IS NULL AND a.patient_id IN (SELECT m.patient_id "
        f"FROM care_team_members m WHERE m.therapist_id = {therapist} AND m.ended_at IS NULL) "
        f"ORDER BY a.created_at DESC, a.id DESC LIMIT {most}",
        sql.params,
    )
    return [_open_alert(row) for row in rows]


def _open_alert(row: Any) -> AlertView:
    (alert_id, patient_id, patient_name, reason, value, detail, created_at) = row[:7]
    (acknowledged_at, by_id, by_name, note, context, checkin_at, tags, checkin_note) = row[7:15]
    gad7_at = row[15]
    raised_by: RaisedBy | None = None
    if checkin_at is not None:
        labels = tuple(
            tag_label(tag) for tag in (json.loads(tags) if isinstance(tags, str) else tags)
        )
        raised_by = RaisedBy(
            _CONTEXT_LABELS[CheckinContext(context)], moment(checkin_at), labels, checkin_note
        )
    elif gad7_at is not None:
        raised_by = RaisedBy("GAD-7", moment(gad7_at))
    return AlertView(
        id=int(alert_id),
        patient_id=int(patient_id),
        patient_name=str(patient_name or ""),
        reason=AlertReason(reason),
        value=int(value),
        detail=str(detail),
        created_at=moment(created_at),
        raised_by=raised_by,
        acknowledged_at=None if acknowledged_at is None else moment(acknowledged_at),
        acknowledged_by=str(by_name or ""),
        acknowledged_by_id=None if by_id is None else int(by_id),
        note=str(note),
    )


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


async def open_alert_count(therapist: User) -> int:
    """How many open alerts the therapist's caseload has, for the menu of every page they open:
    one token read while no care data changed anywhere, else one count."""
    token = await care_token()
    if token is not None:
        kept = _open_counts.split({therapist.id: token})[0].get(therapist.id)
        if kept is not None:
            return kept
    count = await care.open_alert_count(therapist)
    if token is not None:
        _open_counts.store({therapist.id: token}, {therapist.id: count})
    return count


async def alerts_between(patient: User, start: datetime, end: datetime) -> list[AlertView]:
    """The patient's alerts raised in [start, end), open or acknowledged, oldest first."""
    found = await Alert.filter(
        patient_id=patient.id, created_at__gte=start, created_at__lt=end
    ).order_by("created_at", "id")
    return await describe(found)
