"""JSON API for signing in and out and for the signed-in user. Paths are a public contract."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import JSONBody
from litestar.status_codes import HTTP_204_NO_CONTENT

from wellness.web.auth import SignInRefused, end_session, sign_in
from wellness.web.dependencies import SignedInUser
from wellness.web.guards import signed_in
from wellness.web.schemas import ErrorResponse, LoginRequest, LoginResponse, MeResponse

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

    @post("/auth/logout", guards=[signed_in], status_code=HTTP_204_NO_CONTENT, name="api_logout")
    async def logout(self, request: Request[Any, Any, Any], user: SignedInUser) -> None:
        """End this session and every other session of the same user."""
        await end_session(request, user)

    @get("/me", guards=[signed_in], name="api_me")
    async def me(self, user: SignedInUser) -> MeResponse:
        return MeResponse.of(user)
