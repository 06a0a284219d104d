from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class InstanceFlag(Model):
    """Facts about this database itself, such as whether it is a demo database."""

    key = fields.CharField(max_length=64, primary_key=True)
    value = fields.CharField(max_length=255)

    class Meta:
        table = "instance_flags"
