"""Explicit shapes of what enters and leaves the web layer (health data leaves only via these)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import msgspec

from wellness.accounts.display import Theme
from wellness.accounts.models import MAX_EMAIL_LENGTH, User
from wellness.accounts.roles import Role
from wellness.accounts.throttle import FailureNotice
from wellness.web.shapes import copied
from wellness.web.strict_json import StrictBody


class LoginRequest(StrictBody):
    email: str
    password: str


# An address longer than any an account can have is refused rather than looked up.
ResetEmail = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_EMAIL_LENGTH)]


class PasswordResetRequest(StrictBody):
    email: ResetEmail


class PasswordResetAsked(msgspec.Struct):
    """The one answer to every request, whatever the address (no account is told apart)."""

    detail: str


class PasswordResetConfirm(StrictBody):
    # The link's token, in the body rather than the URL: URLs reach access logs.
    token: Annotated[str, msgspec.Meta(max_length=200)]
    password: str


class MeResponse(msgspec.Struct):
    id: int
    email: str
    display_name: str
    role: Role
    time_zone: str
    # How their pages look: `device` (the device's light or dark setting), `light` or `dark`.
    theme: Theme

    @classmethod
    def of(cls, user: User) -> MeResponse:
        return copied(cls, user)


class LoginResponse(MeResponse, kw_only=True):
    """The signed-in user, and the failed sign-ins since their last sign-in (0 and null if none)."""

    failed_sign_ins: int
    last_failed_sign_in_at: datetime | None

    @classmethod
    def of(cls, user: User, failures: FailureNotice | None = None) -> LoginResponse:
        if failures is None:
            return copied(cls, user, failed_sign_ins=0, last_failed_sign_in_at=None)
        latest = datetime.fromtimestamp(failures.latest, UTC)
        return copied(cls, user, failed_sign_ins=failures.count, last_failed_sign_in_at=latest)


class HealthResponse(msgspec.Struct):
    status: str
    database: str
    # The store of sign-in sessions: Redis when WELLNESS_REDIS_URL is set, else files.
    sessions: str


class FieldProblem(msgspec.Struct):
    field: str  # the body's field (`answers`, `weekdays[0]`), a query or path parameter
    message: str


class ErrorResponse(msgspec.Struct, omit_defaults=True):
    """Every refusal's JSON body (`web/errors.py`): the status, one sentence for a person, a
    media refusal's `code` (`not_media`, `truncated`, ...), and each field at fault."""

    status_code: int
    detail: str
    code: str = ""
    errors: list[FieldProblem] = msgspec.field(default_factory=list)


# HTML forms: every field has a default so a missing one reaches our own validation,
# which re-renders the form with a message beside the field instead of a bare error page.
class PasswordResetForm(msgspec.Struct):
    email: str = ""


class NewPasswordForm(msgspec.Struct):
    token: str = ""
    password: str = ""


class LoginForm(msgspec.Struct):
    email: str = ""
    password: str = ""
    next: str = ""


class NewUserForm(msgspec.Struct):
    email: str = ""
    display_name: str = ""
    role: str = ""
    time_zone: str = "UTC"
    # How the person gets their first password, while e-mail is set up: "invite" (an e-mailed
    # link to choose it) or "password" (typed here). Without e-mail, always "password".
    setup: str = ""
    password: str = ""
    # A patient's first therapist (optional): alerts reach no one until they have one.
    therapist_id: str = ""


class NameAndEmailForm(msgspec.Struct):
    display_name: str = ""
    email: str = ""


class RoleForm(msgspec.Struct):
    role: str = ""
    confirm_admin: str = ""  # "yes" to make someone an administrator


class ActiveForm(msgspec.Struct):
    active: str = ""


class PasswordForm(msgspec.Struct):
    password: str = ""


class ChangePasswordForm(msgspec.Struct):
    current_password: str = ""
    new_password: str = ""


class TimeZoneForm(msgspec.Struct):
    time_zone: str = ""
