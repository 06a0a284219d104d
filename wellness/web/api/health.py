from __future__ import annotations

from litestar import Response, get

from wellness.system.services import database_is_reachable
from wellness.web.schemas import HealthResponse


@get("/healthz", opt={"exclude_from_auth": True}, name="healthz", tags=["operations"])
async def healthz() -> Response[HealthResponse]:
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    if await database_is_reachable():
        return Response(HealthResponse("ok", "ok"))
    return Response(HealthResponse("unavailable", "unreachable"), status_code=503)
