from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.notifications.rules import Audience, EmailStatus
from tortoise import fields
from tortoise.indexes import Index
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# Alert e-mails (wellness.notifications): the outbox, a row per alert and recipient written in
# the alert's own transaction, and each account's choice to receive them (on for everyone who
# exists already, as for new accounts). ADD COLUMN with a default on both databases: no rebuild.
#
# Undoing it drops the column, which Tortoise does on SQLite by rebuilding users (with foreign
# keys off: no cascade), and that drops migration 0011's care token triggers on users (tortoise-
# orm 1.1.9 recreates none): the step before the column creates them again when undone.
_USERS_TRIGGERS = {
    "users_care_update": "AFTER UPDATE OF display_name, time_zone, role, is_active ON users",
    "users_care_delete": "AFTER DELETE ON users",
}


class Migration(migrations.Migration):
    dependencies = [('wellness', '0014_search_tags')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AlertEmail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('alert', fields.ForeignKeyField('wellness.Alert', source_field='alert_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('recipient', fields.ForeignKeyField('wellness.User', source_field='recipient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('audience', fields.CharEnumField(description='CARE_TEAM: care_team\nADMINS: admins', enum_type=Audience, max_length=16)),
                ('status', fields.CharEnumField(default=EmailStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed\nCANCELLED: cancelled', enum_type=EmailStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('claim', fields.CharField(default='', max_length=32)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'alert_email_outbox', 'app': 'wellness', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['recipient_id', 'status'])], 'pk_attr': 'id', 'table_description': "One alert to be e-mailed to one person: the outbox row, written in the alert's own"},
            bases=['Model'],
        ),
        run_per_dialect(
            sqlite=[],
            postgres=[],
            sqlite_drop=sqlite_token_triggers("care_version", _USERS_TRIGGERS),
            postgres_drop=[],
        ),
        ops.AddField(
            model_name='User',
            name='alert_emails',
            field=fields.BooleanField(default=True, db_default=True),
        ),
    ]
