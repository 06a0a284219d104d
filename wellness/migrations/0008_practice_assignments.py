from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

# Practices therapists assign to patients: the assignment, its versions (every change is a new
# version in force from the practice day it was made) and its pauses. New tables only.


class Migration(migrations.Migration):
    dependencies = [('wellness', '0007_care_contraindications_and_overrides')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PracticeAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('created_by', fields.ForeignKeyField('wellness.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('ended_on', fields.DateField(null=True)),
                ('ended_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('ended_by', fields.ForeignKeyField('wellness.User', source_field='ended_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'care_practice_assignments', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'ended_on'])], 'pk_attr': 'id', 'table_description': 'A practice a therapist gave a patient, on a schedule (`wellness.care.schedule`).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AssignmentVersion',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assignment', fields.ForeignKeyField('wellness.PracticeAssignment', source_field='assignment_id', db_constraint=True, to_field='id', related_name='versions', on_delete=OnDelete.CASCADE)),
                ('effective_from', fields.DateField()),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('kind', fields.CharField(default='', max_length=16)),
                ('min_minutes', fields.SmallIntField(null=True)),
                ('max_minutes', fields.SmallIntField(null=True)),
                ('frequency', fields.CharField(max_length=16)),
                ('times_a_week', fields.SmallIntField(default=0)),
                ('weekdays', fields.CharField(default='', max_length=16)),
                ('start', fields.DateField()),
                ('end', fields.DateField(null=True)),
                ('part_of_day', fields.CharField(default='', max_length=16)),
                ('note', fields.CharField(default='', max_length=500)),
                ('created_by', fields.ForeignKeyField('wellness.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_assignment_versions', 'app': 'wellness', 'indexes': [Index(fields=['assignment_id', 'effective_from'])], 'pk_attr': 'id', 'table_description': 'One version of an assignment: what to practise, on which schedule, with which note.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AssignmentPause',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('assignment', fields.ForeignKeyField('wellness.PracticeAssignment', source_field='assignment_id', db_constraint=True, to_field='id', related_name='pauses', on_delete=OnDelete.CASCADE)),
                ('paused_on', fields.DateField()),
                ('resumed_on', fields.DateField(null=True)),
                ('paused_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('resumed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_assignment_pauses', 'app': 'wellness', 'indexes': [Index(fields=['assignment_id', 'paused_on'])], 'pk_attr': 'id', 'table_description': 'A pause: nothing due from `paused_on` until the day before `resumed_on`.'},
            bases=['Model'],
        ),
    ]
