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
) -> None:
    await audit.record(
        action,
        now=utc_now(request),
        actor_id=current_user(request).id,
        target_type=target_type,
        target_id=target_id,
        client=client_address(request),
        detail=detail,
    )
