from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.care.policy import AlertReason


class CareAssignment(Model):
    """A therapist looks after a patient: the therapist's caseload is exactly these rows."""

    id = fields.IntField(primary_key=True)
    therapist_id: int
    therapist: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    assigned_at = fields.DatetimeField()

    class Meta:
        table = "care_assignments"
        unique_together = (("therapist", "patient"),)


class Alert(Model):
    """High distress reported by a patient, shown to their therapists until acknowledged."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    reason = fields.CharEnumField(AlertReason, max_length=24)
    # The rating that raised it: a SUDS level, a GAD-7 total, or the after-session level.
    value = fields.SmallIntField()
    detail = fields.CharField(max_length=200, default="")
    source_type = fields.CharField(max_length=16)
    source_id = fields.IntField()
    created_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by_id: int | None
    acknowledged_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )

    class Meta:
        table = "care_alerts"
        indexes = (("patient_id", "acknowledged_at"),)
