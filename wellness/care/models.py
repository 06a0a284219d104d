from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model

from wellness.accounts.models import actor_foreign_key, user_foreign_key
from wellness.care.note_rules import NoteKind
from wellness.care.policy import AlertReason


class CareTeamMember(Model):
    """A therapist on a patient's care team, from `started_at` until `ended_at` (kept for history).

    A therapist's caseload is their rows with no `ended_at`. A partial unique index (migration
    0006) allows one current row per therapist and patient; ended rows stay as history.
    """

    id = fields.IntField(primary_key=True)
    therapist_id: int
    therapist: fields.ForeignKeyRelation[Model] = user_foreign_key()
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "care_team_members"
        indexes = (("patient_id", "ended_at"), ("therapist_id", "ended_at"))


class Alert(Model):
    """High distress reported by a patient, shown to their therapists until acknowledged."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    reason = fields.CharEnumField(AlertReason, max_length=24)
    # The rating that raised it: a SUDS level, a GAD-7 total, or the after-session level.
    value = fields.SmallIntField()
    detail = fields.CharField(max_length=200, default="")
    source_type = fields.CharField(max_length=16)
    source_id = fields.IntField()
    created_at = fields.DatetimeField()
    acknowledged_at = fields.DatetimeField(null=True)
    acknowledged_by_id: int | None
    acknowledged_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    acknowledgement_note = fields.CharField(max_length=500, default="", db_default="")

    class Meta:
        table = "care_alerts"
        indexes = (("patient_id", "acknowledged_at"),)


class PatientContraindication(Model):
    """A practice feature this patient's care team asked them to avoid (catalog vocabulary)."""

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    code = fields.CharField(max_length=32)
    set_by_id: int | None
    set_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
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
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    session_id: int
    session: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, on_delete=fields.CASCADE
    )
    kind = fields.CharEnumField(OverrideKind, max_length=8)
    set_by_id: int | None
    set_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    set_at = fields.DatetimeField()

    class Meta:
        table = "care_session_overrides"
        unique_together = (("patient", "session"),)


class PracticeAssignment(Model):
    """A practice a therapist gave a patient, on a schedule (`wellness.care.schedule`).

    What to do and when lives in its versions: every change is a new version in force from the
    practice day it was made, so earlier days stay judged by the schedule then in force. Pauses
    are kept as history; `ended_on` is the practice day it was ended (nothing due from then).
    """

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    created_by_id: int | None
    created_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    created_at = fields.DatetimeField()
    ended_on = fields.DateField(null=True)
    ended_at = fields.DatetimeField(null=True)
    ended_by_id: int | None
    ended_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()

    versions: fields.ReverseRelation[AssignmentVersion]
    pauses: fields.ReverseRelation[AssignmentPause]

    class Meta:
        table = "care_practice_assignments"
        indexes = (("patient_id", "ended_on"),)


class AssignmentVersion(Model):
    """One version of an assignment: what to practise, on which schedule, with which note.

    The target is a session, a collection (any session it holds), or (both None) any published
    session of `kind` whose length is in min..max minutes. The schedule is daily, N times a
    week, or chosen ISO weekdays.
    """

    id = fields.IntField(primary_key=True)
    assignment_id: int
    assignment: fields.ForeignKeyRelation[PracticeAssignment] = fields.ForeignKeyField(
        "wellness.PracticeAssignment", related_name="versions", on_delete=fields.CASCADE
    )
    effective_from = fields.DateField()
    # A specific session, or (session None) any published session of `kind` in the range.
    session_id: int | None
    session: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.PracticeSession", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    # A collection: any session it holds (migration 0022). RESTRICT, as for the session: a
    # collection an assignment names is archived, never deleted (only drafts never published
    # are deleted, and an assignment names only published ones).
    collection_id: int | None
    collection: fields.ForeignKeyNullableRelation[Model] = fields.ForeignKeyField(
        "wellness.Collection", related_name=False, null=True, on_delete=fields.RESTRICT
    )
    kind = fields.CharField(max_length=16, default="")
    min_minutes = fields.SmallIntField(null=True)
    max_minutes = fields.SmallIntField(null=True)
    frequency = fields.CharField(max_length=16)  # wellness.care.schedule.Frequency
    times_a_week = fields.SmallIntField(default=0)
    weekdays = fields.CharField(max_length=16, default="")  # ISO weekdays, "1,3,5"
    start = fields.DateField()
    end = fields.DateField(null=True)
    part_of_day = fields.CharField(max_length=16, default="")  # "" or a PartOfDay
    note = fields.CharField(max_length=500, default="")
    created_by_id: int | None
    created_by: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    created_at = fields.DatetimeField()

    class Meta:
        table = "care_assignment_versions"
        indexes = (("assignment_id", "effective_from"),)


class AssignmentPause(Model):
    """A pause: nothing due from `paused_on` until the day before `resumed_on`."""

    id = fields.IntField(primary_key=True)
    assignment_id: int
    assignment: fields.ForeignKeyRelation[PracticeAssignment] = fields.ForeignKeyField(
        "wellness.PracticeAssignment", related_name="pauses", on_delete=fields.CASCADE
    )
    paused_on = fields.DateField()
    resumed_on = fields.DateField(null=True)
    paused_at = fields.DatetimeField()
    resumed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "care_assignment_pauses"
        indexes = (("assignment_id", "paused_on"),)


class ClinicalNote(Model):
    """A care-team member's note on a patient: a session, a phone call, a group, other.

    A clinical record: never changed and never deleted (`wellness.care.note_rules`, rule 4);
    migration 0018's triggers make the database refuse it, as for the audit trail. Only the
    author's link goes (NULL) should their account ever be deleted. Corrections and later
    thoughts are its addenda.
    """

    id = fields.IntField(primary_key=True)
    patient_id: int
    patient: fields.ForeignKeyRelation[Model] = user_foreign_key()
    author_id: int | None
    author: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    kind = fields.CharEnumField(NoteKind, max_length=16)
    contact_date = fields.DateField()  # the day of the contact, in the author's zone
    text = fields.TextField()
    written_at = fields.DatetimeField()

    addenda: fields.ReverseRelation[NoteAddendum]

    class Meta:
        table = "clinical_notes"
        indexes = (("patient_id", "contact_date"),)


class NoteAddendum(Model):
    """A correction or later thought its author added to their note, never changed either."""

    id = fields.IntField(primary_key=True)
    note_id: int
    note: fields.ForeignKeyRelation[ClinicalNote] = fields.ForeignKeyField(
        "wellness.ClinicalNote", related_name="addenda", on_delete=fields.CASCADE
    )
    author_id: int | None
    author: fields.ForeignKeyNullableRelation[Model] = actor_foreign_key()
    text = fields.TextField()
    written_at = fields.DatetimeField()

    class Meta:
        table = "clinical_note_addenda"
        indexes = (("note_id", "written_at"),)
