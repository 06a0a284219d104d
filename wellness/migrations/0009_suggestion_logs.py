from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('wellness', '0008_practice_assignments')]

    initial = False

    operations = [
        ops.CreateModel(
            name='SuggestionLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('shown_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('engine_version', fields.CharField(max_length=32)),
                ('context', fields.JSONField(default=dict, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('items', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
            ],
            options={'table': 'suggestion_logs', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'shown_at'])], 'pk_attr': 'id', 'table_description': 'One list of suggestions as a patient was shown it (home page or API).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SuggestionFollow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('suggestion', fields.ForeignKeyField('wellness.SuggestionLog', source_field='suggestion_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('practice', fields.ForeignKeyField('wellness.PracticeLog', source_field='practice_id', unique=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session_id', fields.IntField()),
                ('linked_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'suggestion_follows', 'app': 'wellness', 'pk_attr': 'id', 'table_description': 'A practice started from a shown suggestion: at most one list per practice.'},
            bases=['Model'],
        ),
    ]
