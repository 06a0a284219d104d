from __future__ import annotations

from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from wellness.system.services import database_is_reachable
from wellness.web.request_budget import EXEMPT
from wellness.web.schemas import HealthResponse


@get(
    "/healthz",
    # Monitors poll it from one address; a limit would report the app down.
    opt={"exclude_from_auth": True, EXEMPT: True},
    name="healthz",
    tags=["operations"],
    security=[{}],  # public: no session needed
    responses={
        503: ResponseSpec(data_container=HealthResponse, description="The database is down")
    },
)
async def healthz() -> Response[HealthResponse]:
    """200 when the database answers, 503 when it does not (for load balancers and monitors)."""
    if await database_is_reachable():
        return Response(HealthResponse("ok", "ok"))
    return Response(HealthResponse("unavailable", "unreachable"), status_code=503)
