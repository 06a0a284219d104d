from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# A practice that names no list is linked to the latest one shown just before it
# (wellness.suggestions.following); `named` tells those links from the ones a client gave.
# Existing links were all named. ADD COLUMN with a default on both databases: no rebuild.


class Migration(migrations.Migration):
    dependencies = [('wellness', '0012_checkin_adopted_from')]

    initial = False

    operations = [
        ops.AddField(
            model_name='SuggestionFollow',
            name='named',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
