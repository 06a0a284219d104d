"""Session authentication: who is signed in, and signing in and out."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection

from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.sessions import SessionClaims
from wellness.audit import services as audit
from wellness.web.context import client_address, epoch_seconds, utc_now, web_context
from wellness.web.sessions import ROTATE_FLAG

# Idle timeouts are whole minutes: "last seen" is kept to the minute, so most requests leave the
# session record as it was and nothing is written back.
SEEN_RESOLUTION_SECONDS = 60


async def retrieve_user(
    session: dict[str, Any], connection: ASGIConnection[Any, Any, Any, Any]
) -> User | None:
    claims = SessionClaims.from_dict(session)
    if claims is None:
        return None
    user = await accounts.signed_in_user(claims.user_id, claims.epoch)
    if user is None:
        return None
    now = epoch_seconds(connection)
    policy = web_context(connection).session_policy
    if not policy.is_alive(
        role=user.role, issued_at=claims.issued_at, last_seen=claims.last_seen, now=now
    ):
        return None
    if now - claims.last_seen >= SEEN_RESOLUTION_SECONDS:
        session["seen"] = now
    return user


def start_session(request: Request[Any, Any, Any], user: User) -> None:
    now = epoch_seconds(request)
    claims = SessionClaims(user_id=user.id, epoch=user.session_epoch, issued_at=now, last_seen=now)
    request.set_session({**claims.to_dict(), ROTATE_FLAG: True})


async def end_session(request: Request[Any, Any, Any], user: User) -> None:
    """Sign out everywhere: this session and every other one of the same user."""
    await accounts.end_all_sessions(user.id)
    await audit.record(
        "logout", now=utc_now(request), actor_id=user.id, client=client_address(request)
    )
    request.set_session({ROTATE_FLAG: True})


class SignInRefused(Exception):
    """Sign-in failed; the message is the same whether or not the account exists."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


BAD_CREDENTIALS = "That e-mail address and password don't match an active account."


async def sign_in(request: Request[Any, Any, Any], email: str, password: str) -> User:
    context = web_context(request)
    client = client_address(request)
    now = epoch_seconds(request)
    wait = await context.login_throttle.retry_after(email=email, client=client, now=now)
    if wait is not None:
        await audit.record("login_throttled", now=utc_now(request), client=client)
        minutes = max(1, round(wait / 60))
        plural = "s" if minutes != 1 else ""
        raise SignInRefused(
            f"Too many failed sign-ins. Try again in about {minutes} minute{plural}, "
            "or ask an administrator to reset your password.",
            retry_after=wait,
        )
    user = await accounts.authenticate(email, password, now=utc_now(request))
    if user is None:
        await context.login_throttle.record_failure(email=email, client=client, now=now)
        await audit.record("login_failed", now=utc_now(request), client=client)
        raise SignInRefused(BAD_CREDENTIALS)
    await context.login_throttle.clear_account(email)
    await audit.record("login", now=utc_now(request), actor_id=user.id, client=client)
    start_session(request, user)
    return user
