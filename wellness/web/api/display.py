"""JSON API for everyone's own choice of display (`accounts.display`): light, dark, or as their
device asks. `GET /api/v1/me` answers it too."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, put
from litestar.params import JSONBody

from wellness.accounts import services as accounts
from wellness.accounts.display import Theme
from wellness.web.dependencies import SignedInUser
from wellness.web.guards import signed_in
from wellness.web.strict_json import StrictBody


class DisplayIn(StrictBody):
    """The whole setting (PUT replaces it, so sending it twice changes nothing more)."""

    # `device` follows the device's light or dark setting (prefers-color-scheme).
    theme: Theme


class DisplayOut(msgspec.Struct):
    theme: Theme


class DisplayApi(Controller):
    path = "/api/v1/account/display"
    guards = [signed_in]  # noqa: RUF012  (Litestar reads this class attribute)
    tags = ["accounts"]  # noqa: RUF012

    @get("/", name="api_display")
    async def display(self, user: SignedInUser) -> DisplayOut:
        """How the signed-in person's pages look: `device` until they choose."""
        return DisplayOut(theme=user.theme)

    @put("/", name="api_display_set")
    async def set_display(self, user: SignedInUser, data: JSONBody[DisplayIn]) -> DisplayOut:
        """Choose `light`, `dark` or `device`; pages are drawn in it from the next one on.
        Anything else is refused (422, naming `theme`) and nothing is stored."""
        await accounts.set_theme(user, data.theme)
        return DisplayOut(theme=user.theme)
