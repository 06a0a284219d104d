from tortoise import fields, migrations
from wellness.accounts.display import Theme
from wellness.migrations._dialect import AddColumnDroppedOnSqlite

# Each account's choice of display (wellness.accounts.display): "device" for every account that
# exists, as for new ones, so nobody's pages change until they choose. ADD COLUMN with a
# default on both databases: no rebuild.
#
# Undone on SQLite by DROP COLUMN (`_dialect.AddColumnDroppedOnSqlite`), rather than by
# Tortoise's rebuild of users, which would drop migration 0011's care token triggers on it (the
# column is in none of them, so SQLite lets it go).


class Migration(migrations.Migration):
    dependencies = [('wellness', '0026_saved_sessions_care_token')]

    initial = False

    operations = [
        AddColumnDroppedOnSqlite(
            table='users',
            model_name='User',
            name='theme',
            field=fields.CharEnumField(default=Theme.DEVICE, description='DEVICE: device\nLIGHT: light\nDARK: dark', db_default='device', enum_type=Theme, max_length=8),
        ),
    ]
