from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class AuditEvent(Model):
    """Append-only: who did what to which object, when. Never scores or notes."""

    id = fields.BigIntField(primary_key=True)
    occurred_at = fields.DatetimeField()
    actor_id = fields.IntField(null=True)
    action = fields.CharField(max_length=64)
    target_type = fields.CharField(max_length=32, default="")
    target_id = fields.CharField(max_length=64, default="")
    client = fields.CharField(max_length=64, default="")
    detail = fields.CharField(max_length=255, default="")

    class Meta:
        table = "audit_events"
        ordering = ("-id",)
