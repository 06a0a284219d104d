from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# An assigned practice may name a collection (wellness.care.models.AssignmentVersion.collection):
# any session the collection holds fulfils it. A nullable column with a RESTRICT key to
# collections: ADD COLUMN on both databases (SQLite allows a REFERENCES clause on an added
# column whose default is NULL), no table rebuild, so migration 0011's care token triggers on
# care_assignment_versions stay.
#
# Undoing it drops the column, which Tortoise does on SQLite by rebuilding the table, and that
# drops migration 0011's triggers on it and migration 0008's index (tortoise-orm 1.1.9
# recreates neither): the step before the column creates them again when undone. Undoing it
# refuses while any version names a collection: without the column it would name neither a
# session nor a kind, which the code before this migration cannot read.
_VERSIONS_TRIGGERS = {
    f"care_assignment_versions_care_{event.lower()}": f"AFTER {event} ON care_assignment_versions"
    for event in ("INSERT", "UPDATE", "DELETE")
}
# Named as Tortoise named it in migration 0008.
_VERSIONS_INDEX = (
    'CREATE INDEX IF NOT EXISTS "idx_care_assign_assignm_22dd51" '
    'ON "care_assignment_versions" ("assignment_id", "effective_from")'
)


async def _nothing(apps, schema_editor):
    return None


async def _refuse_collection_assignments(apps, schema_editor):
    rows = await schema_editor.client.execute_query_dict(
        "SELECT COUNT(*) AS n FROM care_assignment_versions WHERE collection_id IS NOT NULL"
    )
    count = int(rows[0]["n"])
    if count:
        raise RuntimeError(
            f"{count} assignment version(s) name a collection: the code before migration 0022 "
            "cannot read them. End and change those assignments before undoing it."
        )


class Migration(migrations.Migration):
    dependencies = [('wellness', '0021_collections')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=[],
            postgres=[],
            sqlite_drop=[
                *sqlite_token_triggers("care_version", _VERSIONS_TRIGGERS),
                _VERSIONS_INDEX,
            ],
            postgres_drop=[],
        ),
        ops.AddField(
            model_name='AssignmentVersion',
            name='collection',
            field=fields.ForeignKeyField('wellness.Collection', source_field='collection_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        # Undone first: nothing is dropped while an assignment names a collection.
        ops.RunPython(_nothing, _refuse_collection_assignments),
    ]
