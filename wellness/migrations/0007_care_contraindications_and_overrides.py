from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.care.models import OverrideKind
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('wellness', '0006_care_team_and_audit_trail')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PatientContraindication',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('code', fields.CharField(max_length=32)),
                ('set_by', fields.ForeignKeyField('wellness.User', source_field='set_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_patient_contraindications', 'app': 'wellness', 'unique_together': (('patient', 'code'),), 'pk_attr': 'id', 'table_description': "A practice feature this patient's care team asked them to avoid (catalog vocabulary)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharEnumField(description='BAN: ban\nPIN: pin', enum_type=OverrideKind, max_length=8)),
                ('set_by', fields.ForeignKeyField('wellness.User', source_field='set_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('set_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_session_overrides', 'app': 'wellness', 'unique_together': (('patient', 'session'),), 'pk_attr': 'id', 'table_description': "A care team's ban or pin of one catalog session for one patient."},
            bases=['Model'],
        ),
    ]
