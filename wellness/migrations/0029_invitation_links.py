from tortoise import fields, migrations
from wellness.accounts.reset_rules import LinkPurpose
from wellness.migrations._dialect import AddColumnDroppedOnSqlite

# Invitations by e-mail (wellness.accounts.reset_rules.LinkPurpose): a link to set the password
# is now for a reset or an invitation. Every link that exists is a reset's, so the column's
# default is "reset". ADD COLUMN with a default on both databases: users is not touched, and
# password_resets is not rebuilt (a rebuild would cascade to the e-mails that reference it).
#
# Undone on SQLite by DROP COLUMN (`_dialect.AddColumnDroppedOnSqlite`), not by Tortoise's
# rebuild. Undone, an invitation link still waiting becomes a 30-minute reset link in name
# only: its expiry stays as it was.


class Migration(migrations.Migration):
    dependencies = [('wellness', '0028_password_resets')]

    initial = False

    operations = [
        AddColumnDroppedOnSqlite(
            table='password_resets',
            model_name='PasswordReset',
            name='purpose',
            field=fields.CharEnumField(default=LinkPurpose.RESET, description='RESET: reset\nINVITE: invite', db_default='reset', enum_type=LinkPurpose, max_length=8),
        ),
    ]
