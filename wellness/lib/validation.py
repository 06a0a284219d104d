"""The one shape of refused input: the field at fault and a message a person can act on."""

from __future__ import annotations


class FieldError(ValueError):
    """Input we refuse, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
