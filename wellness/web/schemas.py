"""Explicit shapes of what enters and leaves the web layer (health data leaves only via these)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from wellness.accounts.models import User
from wellness.accounts.roles import Role
from wellness.accounts.throttle import FailureNotice
from wellness.web.strict_json import StrictBody


class LoginRequest(StrictBody):
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


class LoginResponse(MeResponse, kw_only=True):
    """The signed-in user, and the failed sign-ins since their last sign-in (0 and null if none)."""

    failed_sign_ins: int
    last_failed_sign_in_at: datetime | None

    @classmethod
    def of(cls, user: User, failures: FailureNotice | None = None) -> LoginResponse:
        return cls(
            id=user.id,
            email=user.email,
            display_name=user.display_name,
            role=user.role,
            time_zone=user.time_zone,
            failed_sign_ins=0 if failures is None else failures.count,
            last_failed_sign_in_at=None
            if failures is None
            else datetime.fromtimestamp(failures.latest, UTC),
        )


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
