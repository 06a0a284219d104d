"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.params import QueryParameter, URLEncodedBody
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.permissions import home_path
from wellness.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from wellness.lib.urls import local_redirect_target
from wellness.settings import Settings
from wellness.web.auth import (
    SignInRefused,
    end_session,
    failure_notice,
    retrieve_user,
    sign_in,
)
from wellness.web.dependencies import AppSettings, SignedInUser
from wellness.web.guards import signed_in
from wellness.web.schemas import LoginForm

PUBLIC = {"exclude_from_auth": True}


class AuthPages(Controller):
    @get("/", opt=PUBLIC, name="root")
    async def root(self, request: Request[Any, Any, Any]) -> Redirect:
        user = await retrieve_user(request.session, request)
        return Redirect(home_path(user.role) if user else "/login", status_code=303)

    @get("/login", opt=PUBLIC, name="login")
    async def login_page(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        next_path: Annotated[str, QueryParameter(name="next", max_length=2000)] = "",
    ) -> Template | Redirect:
        user = await retrieve_user(request.session, request)
        if user is not None:
            return Redirect(home_path(user.role), status_code=303)
        return _login_template(settings, next_path=local_redirect_target(next_path) or "")

    @post("/login", opt=PUBLIC, name="login_submit")
    async def login_submit(
        self,
        request: Request[Any, Any, Any],
        settings: AppSettings,
        data: URLEncodedBody[LoginForm],
    ) -> Template | Redirect:
        next_path = local_redirect_target(data.next)
        if missing := _missing_fields(data):
            # Nothing to check, so nothing is counted against an account or an address.
            return _login_template(
                settings, error=missing, email=data.email, next_path=next_path or "", status=422
            )
        try:
            signed_in_as = await sign_in(request, data.email, data.password)
        except SignInRefused as refusal:
            return _login_template(
                settings,
                error=refusal.message,
                email=data.email,
                next_path=next_path or "",
                status=refusal.status_code,
                headers=refusal.headers,
            )
        user = signed_in_as.user
        if signed_in_as.earlier_failures is not None:
            notice = failure_notice(signed_in_as.earlier_failures, user.time_zone)
            flash(request, notice, category="info")
        return Redirect(
            next_path or home_path(user.role),
            status_code=303,
            cookies=[signed_in_as.device_cookie],
        )

    @post("/logout", guards=[signed_in], name="logout")
    async def logout(self, request: Request[Any, Any, Any], user: SignedInUser) -> Redirect:
        await end_session(request, user)
        flash(request, "You are signed out.", category="info")
        return Redirect("/login", status_code=303)


def _missing_fields(form: LoginForm) -> str:
    """What the person left empty, in words ("" when both are filled in)."""
    no_email, no_password = not form.email.strip(), not form.password
    if no_email and no_password:
        return "Enter your e-mail address and your password."
    if no_email:
        return "Enter your e-mail address."
    return "Enter your password." if no_password else ""


def _login_template(
    settings: Settings,
    *,
    error: str = "",
    email: str = "",
    next_path: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        "auth/login.html",
        context={
            "error": error,
            "email": email,
            "next_path": next_path,
            # Demo databases list their accounts on the sign-in page; real ones never do.
            "demo_accounts": DEMO_ACCOUNTS if settings.demo else (),
            "demo_password": DEMO_PASSWORD,
            # "Forgot your password?" only where a link can be e-mailed.
            "password_reset": settings.mail is not None,
        },
        status_code=status,
        headers=headers,
    )
