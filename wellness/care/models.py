from __future__ import annotations

from enum import StrEnum

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


class PatientContraindication(Model):
    """A practice feature this patient's care team asked them to avoid (catalog vocabulary)."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    code = fields.CharField(max_length=32)
    set_by_id: int | None
    set_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    set_at = fields.DatetimeField()

    class Meta:
        table = "care_patient_contraindications"
        unique_together = (("patient", "code"),)


class OverrideKind(StrEnum):
    BAN = "ban"  # never offered to this patient, marked "skip this one for now"
    PIN = "pin"  # recommended by the care team, favoured in suggestions

    @property
    def label(self) -> str:
        return {OverrideKind.BAN: "Skip for now", OverrideKind.PIN: "Recommended"}[self]


class SessionOverride(Model):
    """A care team's ban or pin of one catalog session for one patient."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, on_delete=fields.CASCADE
    )
    session_id: int
    session: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(OverrideKind, max_length=8)
    set_by_id: int | None
    set_by: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.User", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    set_at = fields.DatetimeField()

    class Meta:
        table = "care_session_overrides"
        unique_together = (("patient", "session"),)
