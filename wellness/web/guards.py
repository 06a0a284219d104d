"""Route guards: each names the permission it checks, none compares role strings inline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from wellness.accounts import permissions
from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.audit import services as audit
from wellness.web.context import client_address, utc_now

Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]


def current_user(connection: ASGIConnection[Any, Any, Any, Any]) -> User:
    user = connection.scope.get("user")
    if not isinstance(user, User):
        raise NotAuthorizedException("Sign in to continue.")
    return user


def _guard(allowed: Callable[[Role], bool], refusal: str) -> Guard:
    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        user = current_user(connection)
        if not allowed(user.role):
            await audit.record(
                "access_denied",
                now=utc_now(connection),
                actor_id=user.id,
                target_type="route",
                target_id=connection.url.path,
                client=client_address(connection),
            )
            raise PermissionDeniedException(refusal)

    return guard


signed_in: Guard = _guard(lambda _role: True, "")
admins_only: Guard = _guard(
    permissions.can_manage_accounts, "Only administrators can open this page."
)
coordinators_only: Guard = _guard(
    permissions.can_manage_catalog, "Only coordinators can manage the catalog."
)
library_usage_readers: Guard = _guard(
    permissions.can_see_library_usage,
    "Only coordinators and administrators can see how the library is used.",
)
therapists_only: Guard = _guard(permissions.can_see_caseload, "Only therapists have a caseload.")
reviewers_only: Guard = _guard(
    permissions.can_review_drafts, "Only therapists review the library's drafts."
)
patients_only: Guard = _guard(permissions.is_patient, "This page is for patients.")
