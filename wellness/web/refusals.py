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
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.types import Scope

from wellness.accounts.models import User
from wellness.audit import services as audit
from wellness.web.auditing import audit_route
from wellness.web.context import client_address, utc_now
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
    await audit.record(
        action,
        now=utc_now(connection),
        actor_id=user.id if isinstance(user, User) else None,
        target_type=target_type,
        target_id=target_id,
        client=client_address(connection),
        detail=detail,
        route=audit_route(connection),
    )
