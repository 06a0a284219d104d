from __future__ import annotations

from datetime import datetime

from wellness.audit.models import AuditEvent


async def record(
    action: str,
    *,
    now: datetime,
    actor_id: int | None = None,
    target_type: str = "",
    target_id: object = "",
    client: str = "",
    detail: str = "",
    patient_id: int | None = None,
    route: str = "",
) -> None:
    await AuditEvent.create(
        occurred_at=now,
        actor_id=actor_id,
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        client=client[:64],
        detail=detail[:255],
        patient_id=patient_id,
        route=route[:200],
    )


async def recent_events(*, limit: int = 50, action: str | None = None) -> list[AuditEvent]:
    query = AuditEvent.all()
    if action is not None:
        query = query.filter(action=action)
    return await query.limit(limit)
