from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """Who did what to which object (and whose data it was), from which route, when.

    Append-only: the app never updates or deletes a row, and triggers (migration 0006) make
    the database refuse it. Never scores or notes: `detail` names things, it never quotes them.
    """

    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, default="")
    client = fields.CharField(max_length=64, default="")
    detail = fields.CharField(max_length=255, default="")
    patient_id = fields.IntField(null=True)
    route = fields.CharField(max_length=200, default="", db_default="")

    class Meta:
        table = "audit_events"
        ordering = ("-id",)
        indexes = (("patient_id", "id"), ("actor_id", "id"), ("action", "id"))
