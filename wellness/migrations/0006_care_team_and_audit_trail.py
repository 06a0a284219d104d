from tortoise import migrations
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import is_postgres, run_per_dialect, run_statements
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# 1. "Assignment" now means a practice given to a patient, so the caseload link becomes
#    care-team membership: care_assignments -> care_team_members, every row copied with its
#    id (assigned_at becomes started_at), and removal will set ended_at instead of deleting.
#    One current membership per therapist and patient is a partial unique index, written by
#    hand because Tortoise cannot declare one on SQLite; both databases support it.
# 2. The audit trail names the patient whose data was touched and the route, and becomes
#    append-only in the database: triggers refuse UPDATE and DELETE on audit_events.

_COPY_MEMBERS = (
    "INSERT INTO care_team_members (id, therapist_id, patient_id, started_at, ended_at) "
    "SELECT id, therapist_id, patient_id, assigned_at, NULL FROM care_assignments"
)
_COPY_BACK = (
    "INSERT INTO care_assignments (id, therapist_id, patient_id, assigned_at) "
    "SELECT min(id), therapist_id, patient_id, min(started_at) FROM care_team_members "
    "WHERE ended_at IS NULL GROUP BY therapist_id, patient_id"
)
_CURRENT_MEMBER_INDEX = (
    "CREATE UNIQUE INDEX care_team_members_one_current ON care_team_members "
    "(therapist_id, patient_id) WHERE ended_at IS NULL"
)
# Named as Tortoise named it in migration 0004.
_ALERTS_INDEX = (
    'CREATE INDEX IF NOT EXISTS "idx_care_alerts_patient_74127b" '
    'ON "care_alerts" ("patient_id", "acknowledged_at")'
)
_NEXT_MEMBER_ID = (
    "SELECT setval(pg_get_serial_sequence('care_team_members', 'id'), "
    "coalesce((SELECT max(id) FROM care_team_members), 0) + 1, false)"
)
_REFUSAL = "audit_events is append-only"
# On SQLite the demo re-seed empties tables with DELETE, so a database marked as a demo (by
# `wellness demo`, only ever on a database without real accounts) may be emptied; PostgreSQL's
# re-seed uses TRUNCATE, which row triggers do not see.
_SQLITE_TRIGGERS = [
    "CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
    "CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events "
    "WHEN NOT EXISTS (SELECT 1 FROM instance_flags WHERE key = 'demo' AND value = 'true') "
    f"BEGIN SELECT RAISE(ABORT, '{_REFUSAL}'); END",
]
_POSTGRES_TRIGGERS = [
    "CREATE FUNCTION wellness_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{_REFUSAL}'; END $$",
    "CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION wellness_audit_append_only()",
]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS audit_events_no_{event}" for event in ("update", "delete")]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_events_append_only ON audit_events",
    "DROP FUNCTION IF EXISTS wellness_audit_append_only()",
]


async def copy_members(apps, schema_editor):
    statements = [_COPY_MEMBERS, _CURRENT_MEMBER_INDEX]
    if is_postgres(schema_editor):
        statements.append(_NEXT_MEMBER_ID)
    await run_statements(schema_editor, statements)


async def copy_members_back(apps, schema_editor):
    await run_statements(
        schema_editor, ["DROP INDEX IF EXISTS care_team_members_one_current", _COPY_BACK]
    )


class Migration(migrations.Migration):
    dependencies = [('wellness', '0005_catalog_change_token')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CareTeamMember',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('therapist', fields.ForeignKeyField('wellness.User', source_field='therapist_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_team_members', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'ended_at']), Index(fields=['therapist_id', 'ended_at'])], 'pk_attr': 'id', 'table_description': "A therapist on a patient's care team, from `started_at` until `ended_at` (kept for history)."},
            bases=['Model'],
        ),
        # Undoing the column rebuilds care_alerts on SQLite, which drops its index (migration
        # 0004's; tortoise-orm 1.1.9 does not recreate it): created again once it has.
        run_per_dialect(
            sqlite=[],
            postgres=[],
            sqlite_drop=[_ALERTS_INDEX],
            postgres_drop=[],
        ),
        ops.AddField(
            model_name='Alert',
            name='acknowledgement_note',
            field=fields.CharField(default='', db_default='', max_length=500),
        ),
        ops.AlterModelOptions(
            name='AuditEvent',
            options={'table': 'audit_events', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'id']), Index(fields=['actor_id', 'id']), Index(fields=['action', 'id'])], 'pk_attr': 'id', 'table_description': 'Who did what to which object (and whose data it was), from which route, when.'},
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='patient_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='AuditEvent',
            name='route',
            field=fields.CharField(default='', db_default='', max_length=200),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['patient_id', 'id']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['actor_id', 'id']),
        ),
        ops.AddIndex(
            model_name='AuditEvent',
            index=Index(fields=['action', 'id']),
        ),
        ops.RunPython(copy_members, copy_members_back),
        ops.DeleteModel(name='CareAssignment'),
        run_per_dialect(
            sqlite=_SQLITE_TRIGGERS,
            postgres=_POSTGRES_TRIGGERS,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
