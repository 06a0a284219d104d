"""Server-side sessions that get a fresh id whenever the signed-in identity changes.

Litestar's backend keeps whatever id the browser's cookie carries, including one an attacker
planted (session fixation). Signing in or out sets a flag that makes the next write use a new
random id and delete the old record.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

ROTATE_FLAG = "_rotate"
_NEW_ID_STATE_KEY = "wellness.new_session_id"
_LOADED_STATE_KEY = "wellness.loaded_session"


class RotatingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        new_id = connection.scope["state"].get(_NEW_ID_STATE_KEY)
        if isinstance(new_id, str):
            return new_id
        return super().get_session_id(connection)

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        # A deep copy: flash() appends to a list inside the session, which a shallow copy shares.
        connection.scope["state"][_LOADED_STATE_KEY] = copy.deepcopy(data)
        return data

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        if isinstance(scope_session, dict) and scope_session.pop(ROTATE_FLAG, False):
            await self._rotate(connection)
        unchanged = scope_session == connection.scope["state"].get(_LOADED_STATE_KEY)
        if scope_session and unchanged and _NEW_ID_STATE_KEY not in connection.scope["state"]:
            return  # the stored record and the browser's cookie are already right
        if not scope_session:
            # Anonymous visitors with nothing to remember get no session record at all,
            # so health checks and crawlers cannot fill the store.
            if connection.cookies.get(self.config.key):
                await self._forget(message, connection)
            return
        await super().store_in_message(scope_session, message, connection)

    async def _forget(
        self, message: Message, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> None:
        """Delete the record and the browser's cookie. Litestar's own clearing sends the
        config's Max-Age beside `expires=0`, and Max-Age wins (RFC 6265 5.3): browsers kept a
        `null` session cookie for the whole session lifetime."""
        store = self.config.get_store_from_app(connection.scope["app"])
        await self.delete(self.get_session_id(connection), store=store)
        attributes = dict(
            extract_dataclass_items(self.config, exclude_none=True, include=Cookie.__dict__.keys())
        )
        gone = Cookie(**{**attributes, "key": self.config.key, "value": "", "max_age": 0})
        MutableScopeHeaders.from_message(message).add("Set-Cookie", gone.to_header(header=""))

    async def _rotate(self, connection: ASGIConnection[Any, Any, Any, Any]) -> None:
        old_id = connection.cookies.get(self.config.key)
        if old_id and old_id != "null":
            await self.delete(old_id, store=self.config.get_store_from_app(connection.scope["app"]))
        connection.scope["state"][_NEW_ID_STATE_KEY] = self.generate_session_id()


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
