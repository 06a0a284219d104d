"""Changes to a patient's contraindications, bans and pins that the pages and the JSON API share:
one service call and one audit row each (who, which patient, what, from which route; codes and
session ids only, never notes or scores)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from litestar import Request

from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.care import restrictions
from wellness.care.models import OverrideKind
from wellness.web.context import client_address

OVERRIDE_ACTIONS = {
    OverrideKind.BAN: "session_banned",
    OverrideKind.PIN: "session_pinned",
    None: "session_override_removed",
}


async def record_patient_action(
    request: Request[Any, Any, Any],
    actor: User,
    now: datetime,
    action: str,
    patient: User,
    *,
    target_type: str = "user",
    target_id: object = "",
    detail: str = "",
) -> None:
    await audit.record(
        action,
        now=now,
        actor_id=actor.id,
        target_type=target_type,
        target_id=target_id if target_id != "" else patient.id,
        client=client_address(request),
        detail=detail,
        patient_id=patient.id,
        route=f"{request.method} {request.url.path}",
    )


async def change_contraindications(
    request: Request[Any, Any, Any],
    therapist: User,
    now: datetime,
    patient: User,
    codes: Iterable[str],
) -> tuple[frozenset[str], frozenset[str]]:
    """(added, removed); FieldError names an unknown code. Audited only when something changed."""
    added, removed = await restrictions.set_contraindications(patient, codes, by=therapist, now=now)
    if added or removed:
        detail = f"added={','.join(sorted(added))};removed={','.join(sorted(removed))}"
        await record_patient_action(
            request, therapist, now, "contraindications_changed", patient, detail=detail
        )
    return added, removed


async def change_override(
    request: Request[Any, Any, Any],
    therapist: User,
    now: datetime,
    patient: User,
    session_id: int,
    kind: OverrideKind | None,
) -> bool:
    """Ban, pin or clear (None) a session for the patient; True when it changed (and audited)."""
    changed = await restrictions.set_override(patient, session_id, kind, by=therapist, now=now)
    if changed:
        await record_patient_action(
            request,
            therapist,
            now,
            OVERRIDE_ACTIONS[kind],
            patient,
            target_type="session",
            target_id=session_id,
        )
    return changed


async def record_view(
    request: Request[Any, Any, Any], therapist: User, now: datetime, patient: User
) -> None:
    await record_patient_action(request, therapist, now, "restrictions_viewed", patient)
