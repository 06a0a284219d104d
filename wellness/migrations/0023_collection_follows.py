from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Patients following collections (wellness.catalog.collection_follows): one new table, a row per
# patient and collection they follow, deleted with either. No change token renewed: it is a
# patient's own data, read fresh on their pages, and the catalog's cache does not depend on it.
# Undoing it drops the table and every following in it.

class Migration(migrations.Migration):
    dependencies = [('wellness', '0022_assignment_collection_target')]

    initial = False

    operations = [
        ops.CreateModel(
            name='CollectionFollow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('collection', fields.ForeignKeyField('wellness.Collection', source_field='collection_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'collection_follows', 'app': 'wellness', 'unique_together': (('patient', 'collection'),), 'indexes': [Index(fields=['collection_id'])], 'pk_attr': 'id', 'table_description': 'A patient following a collection, since when.'},
            bases=['Model'],
        ),
    ]
