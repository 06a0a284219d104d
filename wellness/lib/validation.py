"""The one shape of refused input: the field at fault and a message a person can act on."""

from __future__ import annotations

from collections.abc import Mapping


class FieldError(ValueError):
    """Input we refuse, naming the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    @property
    def errors(self) -> dict[str, str]:
        """Every refused field with its message: here the one."""
        return {self.field: self.message}


class FieldErrors(FieldError):
    """Several fields refused at once, so a form shows every mistake in one answer; `field` and
    `message` are the first's, for callers that show one."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        if not errors:
            raise ValueError("FieldErrors needs at least one refused field")
        field, message = next(iter(errors.items()))
        super().__init__(field, message)
        self._errors = dict(errors)

    @property
    def errors(self) -> dict[str, str]:
        return dict(self._errors)
