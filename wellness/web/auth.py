"""Session authentication: who is signed in, and signing in and out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie

from wellness.accounts import devices
from wellness.accounts import services as accounts
from wellness.accounts.models import User
from wellness.accounts.sessions import SessionClaims
from wellness.accounts.throttle import FailureNotice
from wellness.audit import services as audit
from wellness.audit.repeated_refusals import RefusalKey
from wellness.web.auditing import audit_route
from wellness.web.context import client_address, epoch_seconds, utc_now, web_context
from wellness.web.sessions import ROTATE_FLAG
from wellness.web.templating import local_datetime

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

    @property
    def status_code(self) -> int:
        """429 while the attempt is throttled (try again later), else 401."""
        return 429 if self.retry_after else 401

    @property
    def headers(self) -> dict[str, str]:
        return {"retry-after": str(self.retry_after)} if self.retry_after else {}


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    # Names this account for this browser from now on (see wellness.accounts.devices).
    device_cookie: Cookie
    # Failed sign-ins of the account since its last sign-in, for the person to be told.
    earlier_failures: FailureNotice | None


BAD_CREDENTIALS = "That e-mail address and password don't match an active account."


def sign_in_clock(request: Request[Any, Any, Any]) -> datetime:
    """The one clock reading of a sign-in attempt: the app's clock, which tests set."""
    return utc_now(request)


async def sign_in(request: Request[Any, Any, Any], email: str, password: str) -> SignedIn:
    """Check a sign-in against the throttle and the password, record it, and start a session.

    1. A browser with a valid device cookie for the account uses that device's allowance; any
       other client uses the account's allowance for untrusted clients and its address's.
    2. The attempt is counted before the password is checked and given back if it was right.
    3. Failures are audited naming the account when it exists, and kept for the person's next
       sign-in; an attempt that used up an allowance is audited as a lock as well.
    """
    context = web_context(request)
    throttle = context.login_throttle
    client = client_address(request)
    now = sign_in_clock(request)
    moment = now.timestamp()
    secret = context.settings.secret_key
    device = devices.device_for(secret, email, request.cookies.get(devices.COOKIE))
    admission = await throttle.admit(email=email, client=client, device=device, now=moment)
    if not admission.allowed:
        account = await accounts.find_by_email(email)
        account_id = None if account is None else account.id
        await throttle.failed(email=email, account_exists=account is not None, now=moment)
        await _audit_throttled(request, now, account_id, client)
        raise SignInRefused(
            _throttled_message(admission.retry_after), retry_after=admission.retry_after
        )
    check = await accounts.check_credentials(email, password, now=now)
    if check.user is None:
        await throttle.failed(email=email, account_exists=check.account_id is not None, now=moment)
        await _audit_attempt("login_failed", now, check.account_id, client)
        for allowance in admission.exhausts:
            await _audit_attempt("login_locked", now, check.account_id, client, detail=allowance)
        raise SignInRefused(BAD_CREDENTIALS)
    user = check.user
    earlier = await throttle.succeeded(admission, email=email, now=moment)
    detail = "known device" if admission.trusted else "new device"
    await audit.record("login", now=now, actor_id=user.id, client=client, detail=detail)
    start_session(request, user)
    cookie = Cookie(
        key=devices.COOKIE,
        value=devices.issue(secret, email, request.cookies.get(devices.COOKIE)),
        max_age=devices.MAX_AGE_SECONDS,
        path="/",
        secure=context.settings.is_production,
        httponly=True,
        samesite="lax",
    )
    return SignedIn(user, cookie, earlier)


def _throttled_message(wait: int | None) -> str:
    minutes = max(1, round((wait or 0) / 60))
    plural = "s" if minutes != 1 else ""
    return (
        f"Too many failed sign-ins. Try again in about {minutes} minute{plural}, "
        "or ask an administrator to reset your password."
    )


async def _audit_attempt(
    action: str, now: datetime, account_id: int | None, client: str, *, detail: str = ""
) -> None:
    await audit.record(
        action,
        now=now,
        target_type="" if account_id is None else "user",
        target_id="" if account_id is None else account_id,
        client=client,
        detail=detail,
    )


async def _audit_throttled(
    request: Request[Any, Any, Any], now: datetime, account_id: int | None, client: str
) -> None:
    """Attempts the throttle refuses have no bound of their own, so, as other refusals without
    a session, the first per client, account and route in a minute is a row and the rest are
    counted onto one (`audit/repeated_refusals.py`)."""
    target = ("", "") if account_id is None else ("user", str(account_id))
    key = RefusalKey(client, "login_throttled", audit_route(request), *target)
    if await audit.first_in_its_window(web_context(request).anonymous_refusals, key, now=now):
        await _audit_attempt("login_throttled", now, account_id, client)


def failure_notice(failures: FailureNotice, zone: str) -> str:
    """'3 failed sign-in attempts since your last visit, the latest on 2 Dec 2026, 18:30.'"""
    plural = "s" if failures.count != 1 else ""
    latest = datetime.fromtimestamp(failures.latest, UTC)
    return (
        f"{failures.count} failed sign-in attempt{plural} since your last visit, the latest on "
        f"{local_datetime(latest, zone)}. If that was not you, change your password on your "
        "account page."
    )
