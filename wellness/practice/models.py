from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import actor_foreign_key, user_foreign_key
from wellness.practice.rules import MAX_OTHER_LABEL, Evidence, PracticeKind


class PracticeLog(Model):
    """One practice: a session played here, or an in-person/self-guided practice logged."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    session_id: int | None
    session: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, null=True, on_delete=fields.SET_NULL
    )
    kind = fields.CharEnumField(PracticeKind, max_length=16)
    # What the patient called a practice of kind "other" ("Walk"); "" for every other kind.
    other_label = fields.CharField(max_length=MAX_OTHER_LABEL, default="", db_default="")
    evidence = fields.CharEnumField(Evidence, max_length=24)
    started_at = fields.DatetimeField()
    # The patient's zone when they practised: their past days stay put if they move.
    time_zone = fields.CharField(max_length=64)
    listened_seconds = fields.IntField(default=0)
    # The media's length when played (None for practice without media).
    duration_seconds = fields.FloatField(null=True)
    completed = fields.BooleanField(default=False)
    attested_by_id: int | None
    attested_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    note = fields.CharField(max_length=500, default="")
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "practice_logs"
        # A patient's practice by time; a session's by time (the library's usage figures,
        # migration 0016: a period's practice per session, and when each was last played).
        indexes = (("patient_id", "started_at"), ("session_id", "started_at"))
