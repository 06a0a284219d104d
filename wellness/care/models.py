from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.care.policy import AlertReason


class CareTeamMember(Model):
    """A therapist on a patient's care team, from `started_at` until `ended_at` (kept for history).

    A therapist's caseload is their rows with no `ended_at`. A partial unique index (migration
    0006) allows one current row per therapist and patient; ended rows stay as history.
    """

    id = fields.IntField(primary_key=True)
    therapist_id: int
    therapist: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "care_team_members"
        indexes = (("patient_id", "ended_at"), ("therapist_id", "ended_at"))


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
    acknowledgement_note = fields.CharField(max_length=500, default="", db_default="")

    class Meta:
        table = "care_alerts"
        indexes = (("patient_id", "acknowledged_at"),)
