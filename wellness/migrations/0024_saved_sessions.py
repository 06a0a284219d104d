from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Saved sessions (wellness.catalog.saved): one new table of patients' own "Saved" lists, unique
# per patient and session. practice_sessions and users are not altered, so nothing is rebuilt on
# SQLite and their triggers stay as they are; no change token follows it (a patient's list is
# never cached with the catalog). Undoing it drops the table and every patient's saved list.

class Migration(migrations.Migration):
    dependencies = [('wellness', '0023_collection_follows')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SavedSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('saved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'saved_sessions', 'app': 'wellness', 'unique_together': (('patient', 'session'),), 'indexes': [Index(fields=['patient_id', 'saved_at']), Index(fields=['session_id'])], 'pk_attr': 'id', 'table_description': 'A session a patient saved to come back to.'},
            bases=['Model'],
        ),
    ]
