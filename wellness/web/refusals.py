"""Audit rows for the refusals no guard writes, from one after-exception hook (`create_app`
registers it), so every route is covered, future ones too:

- a loader's 404 (`lookups.NotFoundForViewer`): `not_found_for_viewer`, naming what was asked
  for (its type and the id in the request), by whom, from which route. Never whose data it
  would have been: `patient_id` stays empty, as the answer says nothing about whether the
  record exists or whose it is;
- a write refused by a CSRF defence (`security.csrf_refusal`): `csrf_refused`, with what for.

Role guards write their own `access_denied` rows (`guards.py`). The hook runs after the request's
own transaction has rolled back, so a refusal inside a write keeps its row, and before the
answer is sent, as every audit row is committed before its request is answered.

A signed-in person's refusals are each recorded. Those without a session (a sign-in posted
without its CSRF token, or from another site) are coalesced per worker by client address,
action and route (`audit/repeated_refusals.py`): the first in a minute is recorded, the rest
counted, and the count recorded on a row of its own after that minute or when the worker stops
(`record_repeated_refusals_at_shutdown`), so an anonymous flood costs rows per minute, not per
request, and leaves its size in the trail. Sign-ins the throttle refuses are counted the same way
(`web/auth.py`), and requests over the request limit (`web/request_budget.py`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.types import Scope

from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.audit.repeated_refusals import RefusalKey
from wellness.web.auditing import audit_route
from wellness.web.context import STATE_KEY, WebContext, client_address, utc_now, web_context
from wellness.web.lookups import NotFoundForViewer
from wellness.web.security import csrf_refusal

NOT_FOUND = "not_found_for_viewer"
CSRF_REFUSED = "csrf_refused"


async def audit_refusal(exc: Exception, scope: Scope) -> None:
    """Litestar's `after_exception` hook: one audit row if `exc` is a refusal named above."""
    if isinstance(exc, NotFoundForViewer):
        await _record(scope, NOT_FOUND, target_type=exc.target_type, target_id=exc.target_id)
    elif (reason := csrf_refusal(exc)) is not None:
        await _record(scope, CSRF_REFUSED, target_type="route", detail=reason)


async def _record(
    scope: Scope, action: str, *, target_type: str, target_id: object = "", detail: str = ""
) -> None:
    connection: ASGIConnection[Any, Any, Any, Any] = ASGIConnection(scope)
    user = scope.get("user")  # None only for a CSRF refusal of a sign-in
    now, client, route = utc_now(connection), client_address(connection), audit_route(connection)
    if not isinstance(user, User):
        refusals = web_context(connection).anonymous_refusals
        if not await audit.first_in_its_window(
            refusals, RefusalKey(client, action, route), now=now
        ):
            return
    await audit.record(
        action,
        now=now,
        actor_id=user.id if isinstance(user, User) else None,
        target_type=target_type,
        target_id=target_id,
        client=client,
        detail=detail,
        route=route,
    )


@asynccontextmanager
async def record_repeated_refusals_at_shutdown(app: Litestar) -> AsyncIterator[None]:
    """A lifespan that records the refusals still only counted when the worker stops. Listed
    after the database's lifespan, so it ends before the database closes."""
    yield
    context: WebContext = app.state[STATE_KEY]
    await audit.record_repeated_refusals(
        context.anonymous_refusals.drain(), now=context.clock.now()
    )
