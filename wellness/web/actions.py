"""Writes that pages and the JSON API share: one service call and one audit record each, so
both record the same thing; each side answers in its own way (a redirect, or JSON)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from litestar import Request

from wellness.accounts.models import User
from wellness.care import services as care
from wellness.care.models import Alert
from wellness.catalog import services as catalog
from wellness.catalog.kinds import Status
from wellness.catalog.models import PracticeSession
from wellness.web.auditing import record_action
from wellness.web.lookups import alert_for_therapist_or_404


async def acknowledge_alert(
    request: Request[Any, Any, Any], therapist: User, now: datetime, alert_id: int, note: str = ""
) -> tuple[Alert, bool]:
    """The alert, and whether this request acknowledged it (False: someone already had). A note
    that is too long raises FieldError("note") before anything is stored."""
    alert = await alert_for_therapist_or_404(therapist, alert_id)
    acknowledged = await care.acknowledge(alert, therapist, now=now, note=note)
    if acknowledged:
        await record_action(
            request,
            "alert_acknowledged",
            target_type="alert",
            target_id=alert.id,
            detail="with a note" if alert.acknowledgement_note else "",
            patient_id=alert.patient_id,
        )
    return alert, acknowledged


async def change_session_status(
    request: Request[Any, Any, Any],
    editor: User,
    now: datetime,
    session: PracticeSession,
    target: Status,
) -> PracticeSession:
    """Publish or archive `session`; a refused change raises `CatalogError`."""
    changed = await catalog.change_status(session, target, actor=editor, now=now)
    await record_action(
        request, f"session_{target.value}", target_type="session", target_id=session.id
    )
    return changed
