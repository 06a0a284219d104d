"""Recording what a signed-in person did, from a request (who, from where, when)."""

from __future__ import annotations

from typing import Any

from litestar import Request

from wellness.audit import services as audit
from wellness.web.context import client_address, utc_now
from wellness.web.guards import current_user


async def record_action(
    request: Request[Any, Any, Any],
    action: str,
    *,
    target_type: str = "",
    target_id: object = "",
    detail: str = "",
    patient_id: int | None = None,
) -> None:
    """One audit row; `patient_id` names whose data it was, if anyone's. The route is the
    handler's path template (e.g. "/care/patients/{patient_id}"), so it names no ids."""
    await audit.record(
        action,
        now=utc_now(request),
        actor_id=current_user(request).id,
        target_type=target_type,
        target_id=target_id,
        client=client_address(request),
        detail=detail,
        patient_id=patient_id,
        route=str(request.scope.get("path_template") or request.url.path),
    )


async def record_patient_view(
    request: Request[Any, Any, Any], action: str, patient_id: int, *, detail: str = ""
) -> None:
    """A staff member read this patient's data: who, whose, what and from which route; never
    the data itself (no scores, no notes)."""
    await record_action(
        request,
        action,
        target_type="user",
        target_id=patient_id,
        detail=detail,
        patient_id=patient_id,
    )
