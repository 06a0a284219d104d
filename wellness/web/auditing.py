"""Recording what a signed-in person did, from a request (who, from where, when, which route)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from wellness.audit import services as audit
from wellness.web.context import client_address, utc_now
from wellness.web.guards import current_user

# An administrator saw a person's account (a patient's names the patient).
ACCOUNT_VIEWED = "account_viewed"


def audit_route(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The route an audit row names: the method and the handler's path template (e.g.
    "POST /care/patients/{patient_id}/attest"), so it names no ids. Every writer uses this."""
    template = connection.scope.get("path_template") or connection.url.path
    return f"{connection.scope.get('method', '')} {template}"


async def record_action(
    request: Request[Any, Any, Any],
    action: str,
    *,
    target_type: str = "",
    target_id: object = "",
    detail: str = "",
    patient_id: int | None = None,
    now: datetime | None = None,
) -> None:
    """One audit row by the signed-in person; `patient_id` names whose data it was, if anyone's.
    `now` is the request's time when the handler has it (else the app clock is read)."""
    await audit.record(
        action,
        now=now if now is not None else utc_now(request),
        actor_id=current_user(request).id,
        target_type=target_type,
        target_id=target_id,
        client=client_address(request),
        detail=detail,
        patient_id=patient_id,
        route=audit_route(request),
    )


async def record_for_patient(
    request: Request[Any, Any, Any],
    action: str,
    patient_id: int,
    *,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """A staff member read or changed this patient's data: who, whose, what and from which
    route; never the data itself (no scores, no notes)."""
    await record_action(
        request,
        action,
        target_type="user",
        target_id=patient_id,
        detail=detail,
        patient_id=patient_id,
        now=now,
    )


async def record_for_patients(
    request: Request[Any, Any, Any],
    action: str,
    patient_ids: Iterable[int],
    *,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    """`record_for_patient` for each of these patients (each once), written together: for a
    page or list that shows several patients' data at once."""
    await audit.record_for_each_patient(
        action,
        patient_ids,
        now=now if now is not None else utc_now(request),
        actor_id=current_user(request).id,
        client=client_address(request),
        detail=detail,
        route=audit_route(request),
    )
