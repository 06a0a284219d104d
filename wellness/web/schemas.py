"""Explicit shapes of what enters and leaves the web layer (health data leaves only via these)."""

from __future__ import annotations

import msgspec

from wellness.accounts.models import User
from wellness.accounts.roles import Role


class LoginRequest(msgspec.Struct):
    email: str
    password: str


class MeResponse(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: Role
    time_zone: str

    @classmethod
    def of(cls, user: User) -> MeResponse:
        return cls(user.id, user.email, user.display_name, user.role, user.time_zone)


class HealthResponse(msgspec.Struct):
    status: str
    database: str


class ErrorResponse(msgspec.Struct):
    status_code: int
    detail: str


# HTML forms: every field has a default so a missing one reaches our own validation,
# which re-renders the form with a message beside the field instead of a bare error page.
class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = ""


class NewUserForm(msgspec.Struct):
    email: str = ""
    display_name: str = ""
    role: str = ""
    time_zone: str = "UTC"
    password: str = ""


class RoleForm(msgspec.Struct):
    role: str = ""


class ActiveForm(msgspec.Struct):
    active: str = ""


class PasswordForm(msgspec.Struct):
    password: str = ""


class ChangePasswordForm(msgspec.Struct):
    current_password: str = ""
    new_password: str = ""


class TimeZoneForm(msgspec.Struct):
    time_zone: str = ""
