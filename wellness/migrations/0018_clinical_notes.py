from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.care.note_rules import NoteKind
from wellness.migrations._dialect import run_per_dialect
from tortoise import fields
from tortoise.indexes import Index

# Clinician notes and their addenda (wellness.care.note_rules): clinical records, written once.
# As for the audit trail (migration 0006), triggers make the database refuse to change what a
# note or an addendum says, whose it is and when it was written, and to delete one. The
# author's link is left out of the UPDATE triggers: it goes NULL if that account is ever
# deleted (actor_foreign_key), which must not be refused.
# On SQLite a database marked as a demo may be emptied for a re-seed (its DELETE), as 0006
# allows for the audit trail; PostgreSQL's re-seed uses TRUNCATE, which row triggers do not see.
_REFUSAL = "clinical notes are never changed or deleted"
_WRITTEN = {
    "clinical_notes": "patient_id, kind, contact_date, text, written_at",
    "clinical_note_addenda": "note_id, text, written_at",
}
_DEMO = "NOT EXISTS (SELECT 1 FROM instance_flags WHERE key = 'demo' AND value = 'true')"
_SQLITE_TRIGGERS = [
    statement
    for table, columns in _WRITTEN.items()
    for statement in (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE OF {columns} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} WHEN {_DEMO} "
        f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    )
]
_SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {table}_no_{event}"
    for table in _WRITTEN
    for event in ("update", "delete")
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION wellness_notes_written_once() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$",
    *(
        f"CREATE TRIGGER {table}_written_once BEFORE UPDATE OF {columns} OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION wellness_notes_written_once()"
        for table, columns in _WRITTEN.items()
    ),
]
_POSTGRES_DROP = [
    *(f"DROP TRIGGER IF EXISTS {table}_written_once ON {table}" for table in _WRITTEN),
    "DROP FUNCTION IF EXISTS wellness_notes_written_once()",
]

class Migration(migrations.Migration):
    dependencies = [('wellness', '0017_practice_other_label')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ClinicalNote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('wellness.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='SESSION: session\nPHONE_CALL: phone_call\nGROUP: group\nOTHER: other', enum_type=NoteKind, max_length=16)),
                ('contact_date', fields.DateField()),
                ('text', fields.TextField(unique=False)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'clinical_notes', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'contact_date'])], 'pk_attr': 'id', 'table_description': "A care-team member's note on a patient: a session, a phone call, a group, other."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NoteAddendum',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('note', fields.ForeignKeyField('wellness.ClinicalNote', source_field='note_id', db_constraint=True, to_field='id', related_name='addenda', on_delete=OnDelete.CASCADE)),
                ('author', fields.ForeignKeyField('wellness.User', source_field='author_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('text', fields.TextField(unique=False)),
                ('written_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'clinical_note_addenda', 'app': 'wellness', 'indexes': [Index(fields=['note_id', 'written_at'])], 'pk_attr': 'id', 'table_description': 'A correction or later thought its author added to their note, never changed either.'},
            bases=['Model'],
        ),
        run_per_dialect(
            sqlite=_SQLITE_TRIGGERS,
            postgres=_POSTGRES_TRIGGERS,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
