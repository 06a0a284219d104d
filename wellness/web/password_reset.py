"""What the "forgot your password?" pages and the JSON API both do: refuse while e-mail is off,
throttle and audit a request, and set the password through a link (audited, locks lifted).

Neither the address typed nor the token ever reaches the audit trail: a request's row names the
account the address belongs to (or none), and routes are named by their templates.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from typing import Any

from litestar import Request
from litestar.exceptions import HTTPException, TooManyRequestsException

from wellness.accounts import password_resets
from wellness.accounts.reset_rules import LIFETIME_MINUTES
from wellness.accounts.throttle import ResetRequestThrottle
from wellness.audit import services as audit
from wellness.audit.repeated_refusals import RefusalKey
from wellness.notifications import password_reset_mail
from wellness.web.auditing import audit_route
from wellness.web.context import client_address, utc_now, web_context

MAIL_OFF = (
    "Passwords cannot be reset by e-mail here, because e-mail is not set up for this app. "
    "Ask clinic staff to set a new password for you."
)
ASKED = (
    "If an active account uses that address, an e-mail with a link to set a new password is "
    f"on its way. The link works once, for {LIFETIME_MINUTES} minutes. No e-mail? Check the "
    "spam folder, or ask clinic staff."
)
# No answer to a request comes sooner than this after it arrived: an active account's link is
# one more transaction (about 2 ms more on SQLite, measured), which would otherwise tell an
# address with an account from one without. Longer than any request's work but under load.
ANSWER_FLOOR_SECONDS = 0.25
REQUESTED = "password_reset_requested"
THROTTLED = "password_reset_throttled"
DONE = "password_reset_done"
INVITATION_ACCEPTED = "invitation_accepted"


class ResetOff(HTTPException):
    """E-mail is off (WELLNESS_SMTP_URL unset): no link can be sent, so the reset routes refuse
    as things stand (409), saying why and whom to ask. Not 404: the routes are documented and
    there, and answer once e-mail is set up."""

    status_code = 409
    code = "password_reset_off"

    def __init__(self) -> None:
        super().__init__(MAIL_OFF)


class ResetThrottled(TooManyRequestsException):
    code = "reset_throttled"

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, round(retry_after / 60))
        plural = "s" if minutes != 1 else ""
        super().__init__(
            "Too many requests for a new password from here or for this address. Try again in "
            f"about {minutes} minute{plural}, or ask clinic staff.",
            headers={"retry-after": str(retry_after)},
        )


class LinkClosed(HTTPException):
    """The token opens nothing (unknown, expired, used or voided: one answer for all)."""

    status_code = 410
    code = "reset_link_closed"

    def __init__(self) -> None:
        super().__init__(password_resets.ResetLinkClosed.message)


def mail_is_on(request: Request[Any, Any, Any]) -> bool:
    return web_context(request).settings.mail is not None


def require_mail(request: Request[Any, Any, Any]) -> None:
    if not mail_is_on(request):
        raise ResetOff


def _throttle(request: Request[Any, Any, Any]) -> ResetRequestThrottle:
    return web_context(request).reset_throttle


async def request_link(request: Request[Any, Any, Any], email: str) -> None:
    """Ask for a link to the account using `email`: the same answer (None) whatever the
    address; ResetThrottled past the allowances, ResetOff while e-mail is off."""
    require_mail(request)
    arrived = time.monotonic()
    try:
        await _request_link(request, email)
    finally:  # a refusal waits too: a throttled address answers no sooner than others
        await asyncio.sleep(max(0.0, arrived + ANSWER_FLOOR_SECONDS - time.monotonic()))


async def _request_link(request: Request[Any, Any, Any], email: str) -> None:
    now = utc_now(request)
    client = client_address(request)
    wait = await _throttle(request).admit(email=email, client=client, now=now.timestamp())
    if wait is not None:
        key = RefusalKey(client, THROTTLED, audit_route(request), "", "")
        if await audit.first_in_its_window(web_context(request).anonymous_refusals, key, now=now):
            await audit.record(THROTTLED, now=now, client=client, route=audit_route(request))
        raise ResetThrottled(wait)
    secret = web_context(request).settings.secret_key
    asked = await password_reset_mail.request_reset(email, secret_key=secret, now=now)
    detail = "" if asked.sent else ("no account" if asked.account_id is None else "deactivated")
    await audit.record(
        REQUESTED,
        now=now,
        target_type="" if asked.account_id is None else "user",
        target_id="" if asked.account_id is None else asked.account_id,
        client=client,
        detail=detail,
        route=audit_route(request),
    )


async def check_link(request: Request[Any, Any, Any], token: str) -> bool:
    """LinkClosed unless `token` opens a link now; whether it is an invitation's."""
    require_mail(request)
    try:
        link = await password_resets.open_link(token, now=utc_now(request))
    except password_resets.ResetLinkClosed:
        raise LinkClosed from None
    return link.is_invitation


async def set_password(
    request: Request[Any, Any, Any], token: str, password: str
) -> password_resets.OpenLink:
    """Set the password through the link (a reset's or an invitation's): every session of the
    person ends, their sign-in locks are lifted, the link is spent. LinkClosed, or AccountError
    naming `password`."""
    require_mail(request)
    now = utc_now(request)
    try:
        link = await password_resets.complete(token, password, now=now)
    except password_resets.ResetLinkClosed:
        raise LinkClosed from None
    user = link.user
    # As an administrator's reset does: the person who proved the address is not kept out.
    await web_context(request).login_throttle.clear_account(user.email)
    await audit.record(
        INVITATION_ACCEPTED if link.is_invitation else DONE,
        now=now,
        actor_id=user.id,
        target_type="user",
        target_id=user.id,
        client=client_address(request),
        route=audit_route(request),
    )
    return link


_LINK_PATH = re.compile(r"^/password-reset/(?!confirm(?:[?#]|$))[^/?#]+")


def redacted_path(path: str) -> str:
    """`path` with a reset link's token replaced, for logs."""
    return _LINK_PATH.sub("/password-reset/[token]", path)


class RedactedResetLinks(logging.Filter):
    """Keeps reset links' tokens out of uvicorn's access log: the line is logged with
    `/password-reset/[token]` as its path. (A proxy in front logs the URL itself: see the README.)
    uvicorn's access record has the arguments (client, method, path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redacted_path(args[2]), *args[3:])
        return True
