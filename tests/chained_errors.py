"""Exceptions chained as a program raises them, for tests of code that reads the chain."""

from __future__ import annotations

from typing import TypeVar

E = TypeVar("E", bound=Exception)


def raised_while_handling(error: E, cause: Exception) -> E:
    """`error` raised inside `except` for `cause`: its `__context__` is `cause`."""
    try:
        try:
            raise cause
        except type(cause):
            raise error  # noqa: B904  (the implicit context is the point)
    except type(error) as raised:
        return raised


def raised_from(error: E, cause: Exception) -> E:
    """`raise error from cause`: its `__cause__` is `cause`."""
    try:
        raise error from cause
    except type(error) as raised:
        return raised
