from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.display import Theme
from wellness.accounts.passwords import is_usable
from wellness.accounts.reset_rules import LinkPurpose
from wellness.accounts.roles import Role

MAX_EMAIL_LENGTH = 254  # RFC 5321's limit for an address


class User(Model):
    id = fields.IntField(primary_key=True)
    email = fields.CharField(max_length=MAX_EMAIL_LENGTH, unique=True)
    display_name = fields.CharField(max_length=120)
    role = fields.CharEnumField(Role, max_length=16)
    time_zone = fields.CharField(max_length=64, default="UTC")
    password_hash = fields.CharField(max_length=255)
    is_active = fields.BooleanField(default=True)
    # Bumped to end every session of this user at once (logout, deactivation, role change).
    session_epoch = fields.IntField(default=0)
    is_demo = fields.BooleanField(default=False)
    # A patient's own choice: streak figures stay off their pages (still computed, never shown).
    hide_streaks = fields.BooleanField(default=False, db_default=False)
    # A therapist's own choice: their patients' alerts also reach them by e-mail (no health
    # data in it). Kept for every role; only therapists' is read (wellness.notifications).
    alert_emails = fields.BooleanField(default=True, db_default=True)
    # Everyone's own choice of display: light, dark, or as their device asks (the default).
    theme = fields.CharEnumField(Theme, max_length=8, default=Theme.DEVICE, db_default="device")
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "users"
        ordering = ("id",)

    def __str__(self) -> str:
        return f"{self.display_name} <{self.email}> ({self.role})"

    @property
    def invited(self) -> bool:
        """Invited by e-mail and no password chosen yet: nobody can sign in to it so far."""
        return not is_usable(self.password_hash)


def user_foreign_key() -> fields.ForeignKeyRelation[Model]:
    """The user a row belongs to (a patient, a therapist): the row is deleted with them."""
    return fields.ForeignKeyField("wellness.User", related_name=False, on_delete=fields.CASCADE)


def actor_foreign_key() -> fields.ForeignKeyNullableRelation[Model]:
    """The user who did something (set, created, acknowledged...): NULL once they are deleted."""
    return fields.ForeignKeyField(
        "wellness.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )


class PasswordReset(Model):
    """A "forgot your password" link sent to an account (`reset_rules`): only the SHA-256 of its
    token is kept, or an invitation's link to choose a first password (`purpose`). Spent once
    (`used_at`); a newer link and any change of the password delete the account's unspent ones
    (and with them any e-mail of theirs not yet sent)."""

    id = fields.IntField(primary_key=True)
    user_id: int
    user: fields.ForeignKeyRelation[Model] = user_foreign_key()
    token_digest = fields.CharField(max_length=64, unique=True)
    created_at = fields.DatetimeField()
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)
    purpose = fields.CharEnumField(
        LinkPurpose, max_length=8, default=LinkPurpose.RESET, db_default=LinkPurpose.RESET.value
    )

    class Meta:
        table = "password_resets"
        indexes = (("user_id", "used_at"),)
