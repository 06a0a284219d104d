from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import user_foreign_key
from wellness.checkins.scoring import CheckinContext, Gad7Band, score_gad7


class Checkin(Model):
    """One SUDS rating (0-10): at any time, or just before or after a practice session."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    level = fields.SmallIntField()
    note = fields.CharField(max_length=500, default="")
    tags: fields.Field[list[str]] = fields.JSONField(default=list)
    context = fields.CharEnumField(CheckinContext, max_length=16, default=CheckinContext.QUICK)
    practice_id: int | None
    practice: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeLog", related_name=False, null=True, on_delete=fields.CASCADE
    )
    # Set on an after rating copied from a quick check-in made just after a practice (see
    # `scoring.adopts_as_after`): the check-in's id. A copy rather than a second link, because
    # the same check-in may also be the next practice's before rating. No foreign key: adding
    # one would rebuild this table on SQLite; both rows go with their patient and practice.
    adopted_from_id = fields.IntField(null=True)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "checkins"
        # A patient's ratings by time; the ratings around a practice (migration 0016).
        indexes = (("patient_id", "occurred_at"), ("practice_id",))


class Gad7Response(Model):
    """A completed GAD-7: the seven answers as given and the total they score to."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    answers: fields.Field[list[int]] = fields.JSONField()
    total = fields.SmallIntField()
    band = fields.CharEnumField(Gad7Band, max_length=16)
    occurred_at = fields.DatetimeField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "gad7_responses"
        indexes = (("patient_id", "occurred_at"),)

    @classmethod
    def scored(
        cls,
        patient_id: int,
        answers: Sequence[int],
        *,
        occurred_at: datetime,
        recorded_at: datetime | None = None,
    ) -> Gad7Response:
        """An unsaved response with the total and band its answers score to (`score_gad7`,
        which refuses answers that are not seven of 0-3); recorded when it occurred unless
        told otherwise."""
        score = score_gad7(answers)
        return cls(
            patient_id=patient_id,
            answers=list(score.answers),
            total=score.total,
            band=score.band,
            occurred_at=occurred_at,
            recorded_at=recorded_at or occurred_at,
        )
