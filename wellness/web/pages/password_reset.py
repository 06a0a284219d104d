"""The "forgot your password?" pages: ask for a link by e-mail, then choose a new password. An
invitation's link opens the same form, as "Choose your password".

For people who are signed out. A signed-in person is sent to their account page, where they
change their password with the current one. The link's token travels in the form's body, not
in the address the form is sent to.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import PathParameter, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.reset_rules import INVITATION_LIFETIME_DAYS, LIFETIME_MINUTES
from wellness.accounts.services import AccountError
from wellness.web import password_reset as reset
from wellness.web.auth import retrieve_user
from wellness.web.schemas import NewPasswordForm, PasswordResetForm

PUBLIC = {"exclude_from_auth": True}
RESET_DONE = "Your new password is set, and you were signed out on every device. Sign in with it."
INVITATION_DONE = "Your password is set. Sign in with your e-mail address and it."
SIGNED_IN = (
    "You are signed in, so change your password here with your current one. To use a "
    "password reset link, sign out first."
)


async def _signed_out_and_mail_on(request: Request[Any, Any, Any]) -> Template | Redirect | None:
    """Every page's first step: a signed-in person goes to their account page, and while
    e-mail is off the page only says so (409); None lets the page go on."""
    if (signed_in := await _to_account_page(request)) is not None:
        return signed_in
    if not reset.mail_is_on(request):
        return _ask_template(request)
    return None


class PasswordResetPages(Controller):
    path = "/password-reset"
    before_request = staticmethod(_signed_out_and_mail_on)

    @get("/", opt=PUBLIC, name="password_reset")
    async def ask_page(self, request: Request[Any, Any, Any]) -> Template:
        return _ask_template(request)

    @post("/", opt=PUBLIC, name="password_reset_submit")
    async def ask(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[PasswordResetForm]
    ) -> Template:
        email = data.email.strip()
        if not email:
            errors = {"email": "Enter the e-mail address you sign in with."}
            return _ask_template(request, errors=errors, status=422)
        try:
            await reset.request_link(request, email)
        except reset.ResetThrottled as refusal:
            errors = {"email": refusal.detail}
            return _ask_template(
                request, errors=errors, email=email, status=429, headers=refusal.headers
            )
        return _ask_template(request, sent=True)

    @get("/{token:str}", opt=PUBLIC, name="password_reset_link")
    async def link_page(
        self, request: Request[Any, Any, Any], token: Annotated[str, PathParameter()]
    ) -> Template:
        try:
            invitation = await reset.check_link(request, token)
        except reset.LinkClosed:
            return _new_password_template(request, closed=True, status=410)
        return _new_password_template(request, token=token, invitation=invitation)

    @post("/confirm", opt=PUBLIC, name="password_reset_confirm")
    async def set_password(
        self, request: Request[Any, Any, Any], data: URLEncodedBody[NewPasswordForm]
    ) -> Template | Redirect:
        try:
            link = await reset.set_password(request, data.token, data.password)
        except reset.LinkClosed:
            return _new_password_template(request, closed=True, status=410)
        except AccountError as problem:
            errors = {"password": problem.message}
            # A refusal keeps the link open: the page shows it as it was (reset or invitation).
            try:
                invitation = await reset.check_link(request, data.token)
            except reset.LinkClosed:
                return _new_password_template(request, closed=True, status=410)
            return _new_password_template(
                request, token=data.token, errors=errors, status=422, invitation=invitation
            )
        # As the reset does, the person signs in with the password just chosen: it proves
        # they know it, and sign-in is where the device cookie and throttling are handled.
        flash(request, INVITATION_DONE if link.is_invitation else RESET_DONE, category="success")
        return Redirect("/login", status_code=303)


async def _to_account_page(request: Request[Any, Any, Any]) -> Redirect | None:
    if await retrieve_user(request.session, request) is None:
        return None
    flash(request, SIGNED_IN, category="info")
    return Redirect("/account", status_code=303)


def _ask_template(
    request: Request[Any, Any, Any],
    *,
    errors: dict[str, str] | None = None,
    email: str = "",
    sent: bool = False,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    mail_on = reset.mail_is_on(request)
    return Template(
        "auth/password_reset.html",
        context={
            "mail_on": mail_on,
            "mail_off": reset.MAIL_OFF,
            "errors": errors or {},
            "email": email,
            "sent": sent,
            "asked": reset.ASKED,
            "minutes": LIFETIME_MINUTES,
        },
        # While e-mail is off the page only says so, as the API's 409 does.
        status_code=status if mail_on else 409,
        headers=headers,
    )


def _new_password_template(
    request: Request[Any, Any, Any],
    *,
    token: str = "",
    closed: bool = False,
    errors: dict[str, str] | None = None,
    status: int = 200,
    invitation: bool = False,
) -> Template:
    return Template(
        "auth/new_password.html",
        context={
            "token": token,
            "closed": closed,
            "invitation": invitation,
            "errors": errors or {},
            "minutes": LIFETIME_MINUTES,
            "invitation_days": INVITATION_LIFETIME_DAYS,
        },
        status_code=status,
    )
