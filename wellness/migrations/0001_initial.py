from tortoise import migrations
from tortoise.migrations import operations as ops
from wellness.accounts.roles import Role
from tortoise import fields

class Migration(migrations.Migration):
    initial = True

    operations = [
        ops.CreateModel(
            name='AuditEvent',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('occurred_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('actor_id', fields.IntField(null=True)),
                ('action', fields.CharField(max_length=64)),
                ('target_type', fields.CharField(default='', max_length=32)),
                ('target_id', fields.CharField(default='', max_length=64)),
                ('client', fields.CharField(default='', max_length=64)),
                ('detail', fields.CharField(default='', max_length=255)),
            ],
            options={'table': 'audit_events', 'app': 'wellness', 'pk_attr': 'id', 'table_description': 'Append-only: who did what to which object, when. Never scores or notes.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='InstanceFlag',
            fields=[
                ('key', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('value', fields.CharField(max_length=255)),
            ],
            options={'table': 'instance_flags', 'app': 'wellness', 'pk_attr': 'key', 'table_description': 'Facts about this database itself, such as whether it is a demo database.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='User',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('email', fields.CharField(unique=True, max_length=254)),
                ('display_name', fields.CharField(max_length=120)),
                ('role', fields.CharEnumField(description='PATIENT: patient\nTHERAPIST: therapist\nCOORDINATOR: coordinator\nADMIN: admin', enum_type=Role, max_length=16)),
                ('time_zone', fields.CharField(default='UTC', max_length=64)),
                ('password_hash', fields.CharField(max_length=255)),
                ('is_active', fields.BooleanField(default=True)),
                ('session_epoch', fields.IntField(default=0)),
                ('is_demo', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_login_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'users', 'app': 'wellness', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
