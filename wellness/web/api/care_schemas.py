"""What the therapists' API accepts and answers, and the support shown with any rating that
raised an alert. Unknown input fields are refused."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from wellness.care.models import Alert
from wellness.caseload.alerts import AlertView, RaisedBy
from wellness.catalog.kinds import Kind
from wellness.settings import CarePolicy
from wellness.web.api.fields import Moment, Note
from wellness.web.shapes import copied
from wellness.web.strict_json import StrictBody


class Support(msgspec.Struct):
    """Shown with any rating that raised an alert: who to contact and a calming next step."""

    message: str
    clinic_contact: str
    crisis_line: str
    monitored_always: bool
    support_url: str = "/support"

    @classmethod
    def of(cls, alerts: list[Alert], policy: CarePolicy) -> Support | None:
        if not alerts:
            return None
        return cls(
            message="Thank you for telling us. Your care team will see this.",
            clinic_contact=policy.clinic_contact,
            crisis_line=policy.crisis_line,
            monitored_always=policy.monitored_always,
        )


class AttestCreate(StrictBody):
    kind: Kind
    minutes: Annotated[int, msgspec.Meta(ge=1, le=360)]
    started_at: Moment
    note: Note = ""


class AlertAcknowledge(StrictBody):
    """An optional note for the rest of the care team (no scores, no patient data needed)."""

    note: Note = ""


class RaisedByOut(msgspec.Struct):
    """The rating that raised an alert: what kind, when, and the tags and note given with it."""

    label: str
    occurred_at: datetime
    tags: list[str]
    note: str

    @classmethod
    def of(cls, raised_by: RaisedBy | None) -> RaisedByOut | None:
        if raised_by is None:
            return None
        return copied(cls, raised_by, tags=list(raised_by.tags))


class AlertOut(msgspec.Struct):
    id: int
    patient_id: int
    patient_name: str
    reason: str
    value: int
    detail: str
    created_at: datetime
    acknowledged_at: datetime | None
    raised_by: RaisedByOut | None = None
    acknowledged_by_id: int | None = None
    acknowledged_by: str = ""
    acknowledgement_note: str = ""

    @classmethod
    def of(cls, alert: AlertView) -> AlertOut:
        return copied(
            cls,
            alert,
            reason=alert.reason.value,
            raised_by=RaisedByOut.of(alert.raised_by),
            acknowledgement_note=alert.note,
        )
