from __future__ import annotations

import asyncio
from typing import Any

from litestar import Request, Response, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.stores.base import Store

from wellness.system.services import HEALTH_CHECK_TIMEOUT_SECONDS, database_is_reachable
from wellness.web.request_budget import EXEMPT
from wellness.web.schemas import HealthResponse

# A store that does not answer within this long is down, as far as a monitor is concerned.
STORE_TIMEOUT_SECONDS = HEALTH_CHECK_TIMEOUT_SECONDS
OK, UNREACHABLE = "ok", "unreachable"
# The session middleware's `exclude_opt_key` (Litestar's default).
SKIP_SESSION = "skip_session"


async def store_answers(store: Store) -> bool:
    try:
        async with asyncio.timeout(STORE_TIMEOUT_SECONDS):
            await store.exists("health-probe")
    except Exception:  # any error (Redis down, a full disk) means "not answering" to a monitor
        return False
    return True


@get(
    "/healthz",
    # Monitors poll it from one address; a limit would report the app down. It reads no
    # session: a monitor that kept a cookie got the generic 503 while Redis was down, not the
    # answer naming the part that is.
    opt={"exclude_from_auth": True, EXEMPT: True, SKIP_SESSION: True},
    name="healthz",
    tags=["operations"],
    security=[{}],  # public: no session needed
    responses={
        503: ResponseSpec(
            data_container=HealthResponse,
            description="The database, or the session store (Redis), does not answer",
        )
    },
)
async def healthz(request: Request[Any, Any, Any]) -> Response[HealthResponse]:
    """200 when the database and the session store (Redis, when configured) answer, 503 naming
    the one that does not (for load balancers and monitors)."""
    database = OK if await database_is_reachable() else UNREACHABLE
    sessions = OK if await store_answers(request.app.stores.get("sessions")) else UNREACHABLE
    healthy = database == sessions == OK
    return Response(
        HealthResponse("ok" if healthy else "unavailable", database, sessions),
        status_code=200 if healthy else 503,
    )
