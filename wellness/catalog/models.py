from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import actor_foreign_key, user_foreign_key
from wellness.catalog import collection_rules, rules
from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status
from wellness.catalog.storage import cover_key
from wellness.checkins.scoring import SUDS_MAX, SUDS_MIN


class MediaAsset(Model):
    """One stored media file, named by its content hash. Identical bytes are stored once."""

    id = fields.IntField(primary_key=True)
    sha256 = fields.CharField(max_length=64, unique=True)
    size_bytes = fields.BigIntField()
    container = fields.CharField(max_length=16)
    codec = fields.CharField(max_length=32, default="")
    mime_type = fields.CharField(max_length=32)
    extension = fields.CharField(max_length=8)
    has_video = fields.BooleanField(default=False)
    duration_seconds = fields.FloatField()
    bitrate = fields.IntField(null=True)
    sample_rate = fields.IntField(null=True)
    channels = fields.IntField(null=True)
    tag_title = fields.CharField(max_length=255, default="")
    tag_artist = fields.CharField(max_length=255, default="")
    tag_album = fields.CharField(max_length=255, default="")
    tag_comment = fields.CharField(max_length=500, default="")
    cover_sha256 = fields.CharField(max_length=64, null=True)
    cover_mime_type = fields.CharField(max_length=32, null=True)
    # What the uploader's computer called it: display-only metadata, never a path.
    original_filename = fields.CharField(max_length=255, default="")
    uploaded_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    uploaded_at = fields.DatetimeField()

    class Meta:
        table = "media_assets"

    @property
    def storage_key(self) -> str:
        return f"{self.sha256}.{self.extension}"

    @property
    def cover_key(self) -> str | None:
        return cover_key(self.cover_sha256, self.cover_mime_type)


class PracticeSession(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=rules.MAX_TITLE)
    kind = fields.CharEnumField(Kind, max_length=16)
    description = fields.TextField(default="")
    instructor = fields.CharField(max_length=120, default="")
    language = fields.CharField(max_length=16, default="en")
    level = fields.CharEnumField(Level, max_length=16, default=Level.BEGINNER)
    posture = fields.CharEnumField(Posture, max_length=16, default=Posture.SEATED)
    guidance = fields.CharEnumField(Guidance, max_length=16, default=Guidance.GUIDED)
    transcript = fields.TextField(default="")
    # The session's tags as one text (rules.tag_text), for full-text search: the search index
    # (wellness.catalog.search) reads only this table. `editing` writes it with every change of
    # the tags, in the same transaction; SQL that changes session_tags must update it too.
    tag_text = fields.TextField(default="", db_default="")
    # The SUDS levels a session suits: the whole scale unless the coordinator narrows it.
    anxiety_min = fields.SmallIntField(default=SUDS_MIN)
    anxiety_max = fields.SmallIntField(default=SUDS_MAX)
    contraindications: fields.Field[list[str]] = fields.JSONField(default=list)
    status = fields.CharEnumField(Status, max_length=16, default=Status.DRAFT, db_index=True)
    primary_asset: fields.ForeignKeyNullableRelation[MediaAsset] = fields.ForeignKeyField(
        "wellness.MediaAsset", related_name="sessions", null=True, on_delete=fields.RESTRICT
    )
    # Copied from the primary asset so length filters need no join.
    duration_seconds = fields.FloatField(default=0)
    created_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    updated_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)

    tags: fields.ReverseRelation[SessionTag]

    class Meta:
        table = "practice_sessions"
        ordering = ("title", "id")
        # The catalog lists by title: (status, title) serves patients' published-only pages,
        # (title) serves coordinators who see every status.
        indexes = (("status", "title"), ("title",))


class SessionTag(Model):
    id = fields.IntField(primary_key=True)
    session: fields.ForeignKeyRelation[PracticeSession] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name="tags", on_delete=fields.CASCADE
    )
    tag = fields.CharField(max_length=rules.MAX_TAG, db_index=True)

    class Meta:
        table = "session_tags"
        unique_together = (("session", "tag"),)


class Collection(Model):
    """A programme of sessions in a coordinator's order ("First week: steadying"). It moves
    draft -> published -> archived as a session does; patients see published ones only, and
    inside them only the sessions they could open themselves."""

    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=collection_rules.MAX_TITLE)
    # The title's `collection_rules.title_key` while the collection is live (a draft or
    # published), NULL once archived: unique, so live titles differ in more than case, and an
    # archived collection's title is free again. A casefolded title can be longer (ß -> ss).
    live_title = fields.CharField(max_length=3 * collection_rules.MAX_TITLE, null=True, unique=True)
    description = fields.TextField(default="")
    status = fields.CharEnumField(Status, max_length=16, default=Status.DRAFT, db_index=True)
    created_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    updated_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()
    published_at = fields.DatetimeField(null=True)

    entries: fields.ReverseRelation[CollectionEntry]

    class Meta:
        table = "collections"
        table_description = "A coordinator's programme of sessions, in order."
        ordering = ("title", "id")
        indexes = (("status", "title"),)


class CollectionEntry(Model):
    """One session of a collection, at its place (0 first). A collection's entries are written
    together, all of them at once, whenever its list changes."""

    id = fields.IntField(primary_key=True)
    collection_id: int
    collection: fields.ForeignKeyRelation[Collection] = fields.ForeignKeyField(
        "wellness.Collection", related_name="entries", on_delete=fields.CASCADE
    )
    session_id: int
    # RESTRICT: a session a collection holds is not deleted from under it (caseload.removal
    # counts the entries and refuses with words first; this is the database's backstop).
    session: fields.ForeignKeyRelation[PracticeSession] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, on_delete=fields.RESTRICT
    )
    position = fields.SmallIntField()

    class Meta:
        table = "collection_entries"
        table_description = "A session's place in a collection."
        unique_together = (("collection", "session"), ("collection", "position"))
        indexes = (("session_id",),)


class CollectionFollow(Model):
    """A patient following a collection, since `started_at`: their home page keeps it in view
    with their progress, and their care team sees it. Stopping deletes the row (the audit trail
    keeps that it happened); starting again makes a new one, with a new start."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    collection_id: int
    collection: fields.ForeignKeyRelation[Collection] = fields.ForeignKeyField(
        "wellness.Collection", related_name=False, on_delete=fields.CASCADE
    )
    started_at = fields.DatetimeField()

    class Meta:
        table = "collection_follows"
        table_description = "A patient following a collection, since when."
        unique_together = (("patient", "collection"),)
        indexes = (("collection_id",),)


class SavedSession(Model):
    """A session a patient keeps to come back to ("Saved"): their own preference, never seen
    by their care team. Saved only while published (`catalog.saved`); a session archived later
    stays in the list, marked as gone from the library, until the patient removes it."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    # CASCADE both ways: nothing keeps a patient's or a session's row from going. Only a
    # never-published draft may be deleted (caseload.removal), and no one can have saved one.
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    session_id: int
    session: fields.ForeignKeyRelation[PracticeSession] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, on_delete=fields.CASCADE
    )
    saved_at = fields.DatetimeField()

    class Meta:
        table = "saved_sessions"
        table_description = "A session a patient saved to come back to."
        unique_together = (("patient", "session"),)
        # The list is read newest first per patient; a session's rows by `session_id`.
        indexes = (("patient_id", "saved_at"), ("session_id",))
