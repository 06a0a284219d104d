from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import actor_foreign_key
from wellness.catalog.models import PracticeSession
from wellness.reviews.rules import Decision


class SessionReview(Model):
    """A therapist's review of a draft session as it stood (`version`, see `rules.version_of`).
    Append-only: never edited or deleted; a therapist who thinks again reviews again."""

    id = fields.IntField(primary_key=True)
    # RESTRICT: a reviewed draft is archived rather than deleted, so its reviews stay.
    session: fields.ForeignKeyRelation[PracticeSession] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, on_delete=fields.RESTRICT
    )
    reviewer: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    decision = fields.CharEnumField(Decision, max_length=24)
    comment = fields.TextField(default="")
    version = fields.CharField(max_length=64)
    reviewed_at = fields.DatetimeField()

    class Meta:
        table = "session_reviews"
        table_description = "A therapist's clinical review of one version of a draft session."
        indexes = (("session_id", "reviewed_at"),)
