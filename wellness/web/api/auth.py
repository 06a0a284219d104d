"""JSON API for signing in and out and for the signed-in user. Paths are a public contract."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from wellness.web import password_reset as reset
from wellness.web.auth import SignInRefused, end_session, sign_in
from wellness.web.dependencies import SignedInUser
from wellness.web.guards import signed_in
from wellness.web.schemas import (
    ErrorResponse,
    LoginRequest,
    LoginResponse,
    MeResponse,
    PasswordResetAsked,
    PasswordResetConfirm,
    PasswordResetRequest,
)

PUBLIC = {"exclude_from_auth": True}


class AuthApi(Controller):
    path = "/api/v1"
    tags = ["accounts"]  # noqa: RUF012  (Litestar reads this class attribute)

    @post(
        "/auth/login",
        opt={**PUBLIC, "refusals": (401, 429)},
        status_code=200,
        name="api_login",
        security=[{}],  # public: this is where a session starts
        responses={200: ResponseSpec(data_container=LoginResponse, description="Signed in")},
    )
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[LoginRequest]
    ) -> Response[LoginResponse | ErrorResponse]:
        """Sign in with e-mail and password; the answer sets the session cookie and the device
        cookie, and counts the failed sign-ins since the account's last sign-in."""
        try:
            signed_in_as = await sign_in(request, data.email, data.password)
        except SignInRefused as refusal:
            refused = ErrorResponse(refusal.status_code, refusal.message)
            return Response(refused, status_code=refusal.status_code, headers=refusal.headers)
        answer = LoginResponse.of(signed_in_as.user, signed_in_as.earlier_failures)
        return Response(answer, cookies=[signed_in_as.device_cookie])

    @post(
        "/auth/password-reset",
        opt={**PUBLIC, "refusals": (409, 429)},
        status_code=HTTP_202_ACCEPTED,
        name="api_password_reset",
        security=[{}],
    )
    async def request_password_reset(
        self, request: Request[Any, Any, Any], data: JSONBody[PasswordResetRequest]
    ) -> PasswordResetAsked:
        """Forgot your password: e-mail a link to set a new one to the active account using
        `email`, if there is one. The same `202` whatever the address; `409` (`code`
        `password_reset_off`) while the app sends no e-mail; `429` past 3 requests an hour for
        an address or 20 from a client address."""
        await reset.request_link(request, data.email)
        return PasswordResetAsked(reset.ASKED)

    @post(
        "/auth/password-reset/confirm",
        opt={**PUBLIC, "refusals": (409, 410)},
        status_code=HTTP_204_NO_CONTENT,
        name="api_password_reset_confirm",
        security=[{}],
    )
    async def confirm_password_reset(
        self, request: Request[Any, Any, Any], data: JSONBody[PasswordResetConfirm]
    ) -> None:
        """Set a new password with the `token` of an e-mailed link (`204`), a reset's or an
        invitation's (the first password): every session of the person ends, sign-in locks are
        lifted, the link is spent. `422` naming `password` for one the rules refuse (the link
        stays usable); `410` (`code` `reset_link_closed`) for a link unknown, expired (a reset's
        after 30 minutes, an invitation's after 7 days), already used or replaced."""
        await reset.set_password(request, data.token, data.password)

    @post("/auth/logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT, name="api_logout")
    async def logout(self, request: Request[Any, Any, Any], user: SignedInUser) -> None:
        """End this session and every other session of the same user."""
        await end_session(request, user)

    @get("/me", guards=[signed_in], name="api_me")
    async def me(self, user: SignedInUser) -> MeResponse:
        return MeResponse.of(user)
