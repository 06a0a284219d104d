from tortoise import fields, migrations
from tortoise.migrations import operations as ops

# An after rating copied from a quick check-in made just after a practice names the check-in
# (wellness.checkins.models.Checkin.adopted_from_id). A plain nullable column: ADD COLUMN on
# both databases, no table rebuild, so migration 0011's SQLite triggers on checkins stay.


class Migration(migrations.Migration):
    dependencies = [('wellness', '0011_care_change_token')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Checkin',
            name='adopted_from_id',
            field=fields.IntField(null=True),
        ),
    ]
