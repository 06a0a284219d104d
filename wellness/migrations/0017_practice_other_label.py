from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import AddColumnDroppedOnSqlite, is_postgres
from wellness.practice.rules import PracticeKind

# Practice a patient logs that the catalog has no kind for (a walk, a swim, a 12-step
# meeting): practice_logs.kind may be "other" (wellness.practice.rules.PracticeKind), and the
# name the patient gave it goes in the new column other_label ("" for every other kind).
#
# 1. kind: the column stays VARCHAR(16); only the values the app writes grow. Tortoise alters a
#    column on SQLite by rebuilding the table, which would drop migration 0010's token triggers
#    and the (patient_id, started_at) index for a change SQLite never sees: there the state
#    alone changes. PostgreSQL gets Tortoise's own change, the column's comment (its values).
# 2. other_label: ADD COLUMN with a default on both databases, no rebuild. Undone on SQLite by
#    DROP COLUMN (SQLite 3.35+), not Tortoise's rebuild, for the same reason.
# 3. Undoing refuses while any practice is of kind "other": the code before this migration
#    cannot read one, and no catalog kind would say truthfully what it was.


class _KindValuesOnly(ops.AlterField):
    async def database_forward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and is_postgres(state_editor):
            await super().database_forward(app_label, old_state, new_state, state_editor)

    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and is_postgres(state_editor):
            await super().database_backward(app_label, old_state, new_state, state_editor)


async def _nothing(apps, schema_editor):
    return None


async def _refuse_other_practice(apps, schema_editor):
    rows = await schema_editor.client.execute_query_dict(
        "SELECT COUNT(*) AS n FROM practice_logs WHERE kind = 'other'"
    )
    count = int(rows[0]["n"])
    if count:
        raise RuntimeError(
            f"{count} practice record(s) of kind 'other' exist: the code before migration 0017 "
            "cannot read them. Change or delete them before undoing it."
        )


class Migration(migrations.Migration):
    dependencies = [('wellness', '0016_usage_index')]

    initial = False

    operations = [
        _KindValuesOnly(
            model_name='PracticeLog',
            name='kind',
            field=fields.CharEnumField(description='MEDITATION: meditation\nBREATHING: breathing\nYOGA: yoga\nBODY_SCAN: body_scan\nGROUNDING: grounding\nSLEEP: sleep\nOTHER: other', enum_type=PracticeKind, max_length=16),
        ),
        AddColumnDroppedOnSqlite(
            table='practice_logs',
            model_name='PracticeLog',
            name='other_label',
            field=fields.CharField(default='', db_default='', max_length=40),
        ),
        ops.RunPython(_nothing, _refuse_other_practice),
    ]
