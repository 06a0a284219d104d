from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import user_foreign_key
from wellness.notifications.rules import Audience, EmailStatus


class AlertEmail(Model):
    """One alert to be e-mailed to one person: the outbox row, written in the alert's own
    transaction. A worker claims a row (`claim`, until `claimed_until`) before sending it, so
    several workers never send it twice; a claim left by a crashed worker expires."""

    id = fields.IntField(primary_key=True)
    alert_id: int
    alert: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.Alert", related_name=False, on_delete=fields.CASCADE
    )
    recipient_id: int
    recipient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    audience = fields.CharEnumField(Audience, max_length=16)
    status = fields.CharEnumField(EmailStatus, max_length=16, default=EmailStatus.PENDING)
    created_at = fields.DatetimeField()
    next_attempt_at = fields.DatetimeField()
    attempts = fields.SmallIntField(default=0)
    claim = fields.CharField(max_length=32, default="")
    claimed_until = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    # The class of the last failure (e.g. "SMTPRecipientsRefused"), never an address.
    last_error = fields.CharField(max_length=64, default="")

    class Meta:
        table = "alert_email_outbox"
        indexes = (("status", "next_attempt_at"), ("recipient_id", "status"))
