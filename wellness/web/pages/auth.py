"""Sign-in and sign-out pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, Parameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from wellness.accounts.permissions import home_path
from wellness.lib.urls import local_redirect_target
from wellness.web.auth import SignInRefused, end_session, retrieve_user, sign_in
from wellness.web.guards import current_user, signed_in
from wellness.web.schemas import LoginForm

PUBLIC = {"exclude_from_auth": True}
Form = Body(media_type=RequestEncodingType.URL_ENCODED)


class AuthPages(Controller):
    @get("/", opt=PUBLIC, name="root")
    async def root(self, request: Request[Any, Any, Any]) -> Redirect:
        user = await retrieve_user(request.session, request)
        return Redirect(home_path(user.role) if user else "/login", status_code=303)

    @get("/login", opt=PUBLIC, name="login")
    async def login_page(
        self, request: Request[Any, Any, Any], next_path: Annotated[str, Parameter(query="next")] = ""
    ) -> Template | Redirect:
        user = await retrieve_user(request.session, request)
        if user is not None:
            return Redirect(home_path(user.role), status_code=303)
        return _login_template(next_path=local_redirect_target(next_path) or "")

    @post("/login", opt=PUBLIC, name="login_submit")
    async def login_submit(
        self, request: Request[Any, Any, Any], data: Annotated[LoginForm, Form]
    ) -> Template | Redirect:
        next_path = local_redirect_target(data.next)
        try:
            user = await sign_in(request, data.email, data.password)
        except SignInRefused as refusal:
            status = 429 if refusal.retry_after else 401
            headers = {"retry-after": str(refusal.retry_after)} if refusal.retry_after else {}
            return _login_template(
                error=refusal.message, email=data.email, next_path=next_path or "", status=status, headers=headers
            )
        return Redirect(next_path or home_path(user.role), status_code=303)

    @post("/logout", guards=[signed_in], name="logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        await end_session(request, current_user(request))
        flash(request, "You are signed out.", category="info")
        return Redirect("/login", status_code=303)


def _login_template(
    *,
    error: str = "",
    email: str = "",
    next_path: str = "",
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> Template:
    return Template(
        "auth/login.html",
        context={"error": error, "email": email, "next_path": next_path},
        status_code=status,
        headers=headers,
    )
