from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import user_foreign_key
from wellness.notifications.reminder_rules import DEFAULT_MINUTE, EVERY_DAY
from wellness.notifications.rules import Audience, EmailStatus


class OutboxRow(Model):
    """What every e-mail waiting to be sent keeps: its state, when to try (again), and the claim
    of the worker sending it (`claims`: several workers never send it twice; a claim left by a
    crashed worker expires at `claimed_until`)."""

    id: int  # each table's own primary key
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
        abstract = True


class AlertEmail(OutboxRow):
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

    class Meta:
        table = "alert_email_outbox"
        indexes = (("status", "next_attempt_at"), ("recipient_id", "status"))


class PracticeReminder(Model):
    """A patient's daily practice reminder (`reminder_rules`). `next_due_at` is the next instant
    it goes (UTC; NULL while off): a worker sends it only after one conditional UPDATE moved it
    on from the value it read, so several workers never send the same reminder twice."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    enabled = fields.BooleanField(default=False)
    minute = fields.SmallIntField(default=DEFAULT_MINUTE)  # local time of day, after midnight
    weekdays = fields.SmallIntField(default=EVERY_DAY)  # bits, Monday the lowest
    # The zone `next_due_at` was worked out in: the patient's when it was set or moved.
    time_zone = fields.CharField(max_length=64)
    next_due_at = fields.DatetimeField(null=True, db_index=True)
    updated_at = fields.DatetimeField()

    class Meta:
        table = "practice_reminders"


class ReminderEmail(OutboxRow):
    """One reminder e-mail: written already claimed by the worker that moved the reminder on,
    kept as the record of what was sent or failed, and tried again (like an alert e-mail) until
    the reminder would be too late."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    due_at = fields.DatetimeField()  # the reminder's instant

    class Meta:
        table = "reminder_emails"
        indexes = (("status", "next_attempt_at"), ("status", "finished_at"))


class PasswordResetEmail(OutboxRow):
    """The e-mail carrying a password reset link, written in the link's own transaction. The
    link's token is stored only here, and only sealed with the app's secret key
    (`reset_mail_rules.seal`): a copy of the database alone opens nothing. It is wiped once
    the e-mail is finished (sent, failed or cancelled); a voided link takes its e-mail with it."""

    id = fields.IntField(primary_key=True)
    reset_id: int
    reset: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.PasswordReset", related_name=False, on_delete=fields.CASCADE
    )
    sealed_token = fields.CharField(max_length=128, default="")

    class Meta:
        table = "password_reset_emails"
        indexes = (("status", "next_attempt_at"),)
