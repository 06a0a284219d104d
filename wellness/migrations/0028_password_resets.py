from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.notifications.rules import EmailStatus
from tortoise import fields
from tortoise.indexes import Index

# "Forgot your password?" (wellness.accounts.password_resets): each reset link, kept as the
# SHA-256 of its token only, and the e-mail carrying it (an outbox row like reminder e-mails',
# its token sealed with the app's secret key until sent). New tables only: users is not altered,
# so nothing is rebuilt on SQLite and the care token's triggers on it stay as they are. Undoing
# it drops both tables and what they hold (links then simply stop working).

class Migration(migrations.Migration):
    dependencies = [('wellness', '0027_display_theme')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PasswordReset',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('wellness.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('token_digest', fields.CharField(unique=True, max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'password_resets', 'app': 'wellness', 'indexes': [Index(fields=['user_id', 'used_at'])], 'pk_attr': 'id', 'table_description': 'A "forgot your password" link sent to an account (`reset_rules`): only the SHA-256 of its'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PasswordResetEmail',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('status', fields.CharEnumField(default=EmailStatus.PENDING, description='PENDING: pending\nSENT: sent\nFAILED: failed\nCANCELLED: cancelled', enum_type=EmailStatus, max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('next_attempt_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('attempts', fields.SmallIntField(default=0)),
                ('claim', fields.CharField(default='', max_length=32)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(default='', max_length=64)),
                ('reset', fields.ForeignKeyField('wellness.PasswordReset', source_field='reset_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('sealed_token', fields.CharField(default='', max_length=128)),
            ],
            options={'table': 'password_reset_emails', 'app': 'wellness', 'indexes': [Index(fields=['status', 'next_attempt_at'])], 'pk_attr': 'id', 'table_description': 'The e-mail carrying a password reset link, written in the link\'s own transaction. The'},
            bases=['Model'],
        ),
    ]
