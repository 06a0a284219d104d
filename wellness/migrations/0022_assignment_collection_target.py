from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import AddColumnDroppedOnSqlite

# An assigned practice may name a collection (wellness.care.models.AssignmentVersion.collection):
# any session the collection holds fulfils it.
#
# 1. A nullable column with a RESTRICT key to collections: ADD COLUMN on both databases (SQLite
#    allows a REFERENCES clause on an added column whose default is NULL), no table rebuild, so
#    migration 0011's care token triggers and migration 0008's index on care_assignment_versions
#    stay.
# 2. Undone on SQLite by DROP COLUMN (SQLite 3.35+ drops a column whose own REFERENCES clause
#    names another table), not Tortoise's rebuild: tortoise-orm 1.1.9's rebuild keeps the column
#    of a foreign key it is asked to remove, and would drop the triggers and the index.
# 3. Undoing it refuses while any version names a collection instead of a session: without the
#    column it would name neither a session nor a kind, which the code before this migration
#    cannot read. (The app never stores both; a row that has a session is read as that session.)


async def _nothing(apps, schema_editor):
    return None


async def _refuse_collection_assignments(apps, schema_editor):
    rows = await schema_editor.client.execute_query_dict(
        "SELECT COUNT(*) AS n FROM care_assignment_versions "
        "WHERE collection_id IS NOT NULL AND session_id IS NULL"
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
        AddColumnDroppedOnSqlite(
            table='care_assignment_versions', column='collection_id',
            model_name='AssignmentVersion',
            name='collection',
            field=fields.ForeignKeyField('wellness.Collection', source_field='collection_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT),
        ),
        # Undone first: nothing is dropped while an assignment names a collection.
        ops.RunPython(_nothing, _refuse_collection_assignments),
    ]
