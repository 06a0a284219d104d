from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.reviews.rules import Decision
from tortoise import fields
from tortoise.indexes import Index

# Clinical reviews of draft sessions (wellness.reviews). A new table only: practice_sessions is
# not altered, so nothing is rebuilt on SQLite and the catalog's triggers stay as they are.
# Undoing it drops the table and every review in it.

class Migration(migrations.Migration):
    dependencies = [('wellness', '0018_clinical_notes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SessionReview',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('reviewer', fields.ForeignKeyField('wellness.User', source_field='reviewer_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('decision', fields.CharEnumField(description='APPROVED: approved\nCHANGES_REQUESTED: changes_requested', enum_type=Decision, max_length=24)),
                ('comment', fields.TextField(default='', unique=False)),
                ('version', fields.CharField(max_length=64)),
                ('reviewed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'session_reviews', 'app': 'wellness', 'indexes': [Index(fields=['session_id', 'reviewed_at'])], 'pk_attr': 'id', 'table_description': "A therapist's clinical review of one version of a draft session."},
            bases=['Model'],
        ),
    ]
