"""What was suggested to whom, and which practice followed: the data off-policy review reads."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import user_foreign_key


class SuggestionLog(Model):
    """One list of suggestions as a patient was shown it (home page or API).

    `items` holds, in display order, each shown session's id, its probability of being shown,
    its reasons and the due assignment it fulfils (if any); `context` what the choice read
    (rating, tier, local hour, practice day, number of candidates...). Titles are not copied:
    the session ids are enough, and a renamed session keeps its history.
    """

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    shown_at = fields.DatetimeField()
    engine_version = fields.CharField(max_length=32)
    context: fields.Field[dict[str, Any]] = fields.JSONField(default=dict)
    items: fields.Field[list[dict[str, Any]]] = fields.JSONField(default=list)

    class Meta:
        table = "suggestion_logs"
        indexes = (("patient_id", "shown_at"),)


class SuggestionFollow(Model):
    """A practice started from a shown suggestion: at most one list per practice."""

    id = fields.IntField(primary_key=True)
    suggestion_id: int
    suggestion: fields.ForeignKeyRelation[SuggestionLog] = fields.ForeignKeyField(
        "wellness.SuggestionLog", related_name=False, on_delete=fields.CASCADE
    )
    practice_id: int
    practice: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeLog", related_name=False, on_delete=fields.CASCADE, unique=True
    )
    session_id = fields.IntField()  # the suggested session the practice plays
    linked_at = fields.DatetimeField()
    # False when the practice did not name the list and was linked to the latest one shown
    # just before it (`suggestions.following`): the report says how many links were so made.
    named = fields.BooleanField(default=True, db_default=True)

    class Meta:
        table = "suggestion_follows"
        # Is this list followed yet (`link_latest_list`), which practice followed it (the
        # therapist's "last suggested"): both look links up by list.
        indexes = (("suggestion_id",),)
