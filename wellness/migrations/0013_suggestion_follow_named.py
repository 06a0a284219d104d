from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# A practice that names no list is linked to the latest one shown just before it
# (wellness.suggestions.following); `named` tells those links from the ones a client gave.
# Existing links were all named. ADD COLUMN with a default on both databases: no rebuild.
# Each practice now asks whether its list is followed yet: an index on the list's id (a
# foreign key has none of its own on PostgreSQL) keeps that from reading every link.
#
# Undoing it drops the column, which Tortoise does on SQLite by rebuilding suggestion_follows:
# that table has no trigger and no index but this migration's own, so the rebuild loses nothing
# (tests/services/test_migration_rebuild_triggers.py compares the schema before and after).


class Migration(migrations.Migration):
    dependencies = [('wellness', '0012_checkin_adopted_from')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SuggestionFollow',
            name='named',
            field=fields.BooleanField(default=True, db_default=True),
        ),
        ops.AddIndex(
            model_name='SuggestionFollow',
            index=Index(fields=['suggestion_id']),
        ),
    ]
