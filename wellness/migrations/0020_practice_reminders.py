from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.notifications.rules import EmailStatus
from tortoise import fields
from tortoise.indexes import Index

# Daily practice reminders (wellness.notifications): each patient's setting, with the next instant
# it is due, and the e-mails sent for it (retried like alert e-mails; their record for the admin
# overview). New tables only: users is not altered, so nothing is rebuilt on SQLite and the care
# token's triggers on it stay as they are. Undoing it drops both tables and what they hold.

class Migration(migrations.Migration):
    dependencies = [('wellness', '0019_session_reviews')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PracticeReminder',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.OneToOneField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('enabled', fields.BooleanField(default=False)),
                ('minute', fields.SmallIntField(default=540)),
                ('weekdays', fields.SmallIntField(default=127)),
                ('time_zone', fields.CharField(max_length=64)),
                ('next_due_at', fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_reminders', 'app': 'wellness', 'pk_attr': 'id', 'table_description': "A patient's daily practice reminder (`reminder_rules`). `next_due_at` is the next instant"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReminderEmail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('status', fields.CharEnumField(default=EmailStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed\nCANCELLED: cancelled', enum_type=EmailStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('claim', fields.CharField(default='', max_length=32)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=64)),
            ],
            options={'table': 'reminder_emails', 'app': 'wellness', 'indexes': [Index(fields=['status', 'next_attempt_at']), Index(fields=['status', 'finished_at'])], 'pk_attr': 'id', 'table_description': 'One reminder e-mail: written already claimed by the worker that moved the reminder on,'},
            bases=['Model'],
        ),
    ]
