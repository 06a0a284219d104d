from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from wellness.accounts.display import Theme
from wellness.migrations._dialect import is_postgres

# Each account's choice of display (wellness.accounts.display): "device" for every account that
# exists, as for new ones, so nobody's pages change until they choose. ADD COLUMN with a
# default on both databases: no rebuild.
#
# Undone on SQLite by DROP COLUMN (SQLite 3.35+), as migration 0017 undoes its column, rather
# than by Tortoise's rebuild of users, which would drop migration 0011's care token triggers on
# it (the column is in none of them, so SQLite lets it go).


class _AddColumn(ops.AddField):
    async def database_backward(self, app_label, old_state, new_state, state_editor=None):
        if state_editor is not None and not is_postgres(state_editor):
            await state_editor.client.execute_script(
                f'ALTER TABLE "users" DROP COLUMN "{self.name}"'
            )
            return
        await super().database_backward(app_label, old_state, new_state, state_editor)


class Migration(migrations.Migration):
    dependencies = [('wellness', '0026_saved_sessions_care_token')]

    initial = False

    operations = [
        _AddColumn(
            model_name='User',
            name='theme',
            field=fields.CharEnumField(default=Theme.DEVICE, description='DEVICE: device\nLIGHT: light\nDARK: dark', db_default='device', enum_type=Theme, max_length=8),
        ),
    ]
