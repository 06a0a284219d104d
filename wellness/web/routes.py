"""Routes made by a factory, one per action that a handler shares (publish, archive, pause)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import post
from litestar.handlers import HTTPRouteHandler


def action_route(
    handler: Callable[..., Any], action: str, path: str, **options: Any
) -> HTTPRouteHandler:
    """`POST path` answered by `handler`, which takes the action's name, so that the route
    table, the logs and the OpenAPI operation tell the actions apart."""
    handler.__name__ = handler.__qualname__ = action
    return post(path, **options)(handler)
