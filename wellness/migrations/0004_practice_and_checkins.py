import functools
from json import dumps, loads

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from wellness.care.policy import AlertReason
from wellness.catalog.kinds import Kind
from wellness.checkins.scoring import CheckinContext, Gad7Band
from wellness.practice.rules import Evidence


class Migration(migrations.Migration):
    dependencies = [('wellness', '0003_catalog_list_indexes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Alert',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('reason', fields.CharEnumField(description='HIGH_DISTRESS: high_distress\nSEVERE_GAD7: severe_gad7\nWORSE_AFTER_SESSION: worse_after_session', enum_type=AlertReason, max_length=24)),
                ('value', fields.SmallIntField()),
                ('detail', fields.CharField(default='', max_length=200)),
                ('source_type', fields.CharField(max_length=16)),
                ('source_id', fields.IntField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('acknowledged_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('acknowledged_by', fields.ForeignKeyField('wellness.User', source_field='acknowledged_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'care_alerts', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'acknowledged_at'])], 'pk_attr': 'id', 'table_description': 'High distress reported by a patient, shown to their therapists until acknowledged.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CareAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('therapist', fields.ForeignKeyField('wellness.User', source_field='therapist_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('assigned_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'care_assignments', 'app': 'wellness', 'unique_together': (('therapist', 'patient'),), 'pk_attr': 'id', 'table_description': "A therapist looks after a patient: the therapist's caseload is exactly these rows."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Gad7Response',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('answers', fields.JSONField(encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('total', fields.SmallIntField()),
                ('band', fields.CharEnumField(description='MINIMAL: minimal\nMILD: mild\nMODERATE: moderate\nSEVERE: severe', enum_type=Gad7Band, max_length=16)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'gad7_responses', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'occurred_at'])], 'pk_attr': 'id', 'table_description': 'A completed GAD-7: the seven answers as given and the total they score to.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='IdempotentRequest',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('wellness.User', source_field='user_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=128)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('status_code', fields.SmallIntField()),
                ('body', fields.BinaryField()),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotent_requests', 'app': 'wellness', 'unique_together': (('user', 'key'),), 'pk_attr': 'id', 'table_description': 'The answer to a write sent with an Idempotency-Key, so a retry gets the same answer.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PracticeLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('kind', fields.CharEnumField(description='MEDITATION: meditation\nBREATHING: breathing\nYOGA: yoga\nBODY_SCAN: body_scan\nGROUNDING: grounding\nSLEEP: sleep', enum_type=Kind, max_length=16)),
                ('evidence', fields.CharEnumField(description='SELF_REPORT: self_report\nOBSERVED_PLAYBACK: observed_playback\nSTAFF_ATTESTED: staff_attested', enum_type=Evidence, max_length=24)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('time_zone', fields.CharField(max_length=64)),
                ('listened_seconds', fields.IntField(default=0)),
                ('duration_seconds', fields.FloatField(null=True)),
                ('completed', fields.BooleanField(default=False)),
                ('attested_by', fields.ForeignKeyField('wellness.User', source_field='attested_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('note', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_logs', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'started_at'])], 'pk_attr': 'id', 'table_description': 'One practice: a session played here, or an in-person/self-guided practice logged.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Checkin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('patient', fields.ForeignKeyField('wellness.User', source_field='patient_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('level', fields.SmallIntField()),
                ('note', fields.CharField(default='', max_length=500)),
                ('tags', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('context', fields.CharEnumField(default=CheckinContext.QUICK, description='QUICK: quick\nBEFORE_SESSION: before_session\nAFTER_SESSION: after_session', enum_type=CheckinContext, max_length=16)),
                ('practice', fields.ForeignKeyField('wellness.PracticeLog', source_field='practice_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.CASCADE)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('recorded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'checkins', 'app': 'wellness', 'indexes': [Index(fields=['patient_id', 'occurred_at'])], 'pk_attr': 'id', 'table_description': 'One SUDS rating (0-10): at any time, or just before or after a practice session.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='User',
            name='hide_streaks',
            field=fields.BooleanField(default=False, db_default=False),
        ),
    ]
