from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import user_foreign_key


class InstanceFlag(Model):
    """Facts about this database itself, such as whether it is a demo database."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.CharField(max_length=255)

    class Meta:
        table = "instance_flags"


class IdempotentRequest(Model):
    """The answer to a write sent with an Idempotency-Key, so a retry gets the same answer.

    Written in the same transaction as the write itself: either both exist or neither does.
    """

    id = fields.IntField(primary_key=True)
    user_id: int
    user: fields.ForeignKeyRelation[Model] = user_foreign_key()
    key = fields.CharField(max_length=128)
    # SHA-256 of the method, path and body: the same key with another payload is refused.
    fingerprint = fields.CharField(max_length=64)
    status_code = fields.SmallIntField()
    body = fields.BinaryField()
    created_at = fields.DatetimeField()

    class Meta:
        table = "idempotent_requests"
        unique_together = (("user", "key"),)
