from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from wellness.catalog.kinds import Status
from tortoise import fields
from tortoise.indexes import Index
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# Collections of sessions (wellness.catalog.collections): two new tables, and the catalog's change
# token (migration 0005) renewed by every write to them, whoever writes, so that what the catalog
# cache keeps of a collection (its sessions' titles, kinds and lengths, which session writes
# renew the token for already) is exact. practice_sessions is not altered: nothing is rebuilt on
# SQLite, and the catalog's own triggers stay as they are. Undoing it drops both tables, with
# their triggers, and every collection in them.
_TABLES = ("collections", "collection_entries")
_SQLITE_TRIGGERS = {
    f"{table}_catalog_{event.lower()}": f"AFTER {event} ON {table}"
    for table in _TABLES
    for event in ("INSERT", "UPDATE", "DELETE")
}
# PostgreSQL: statement triggers calling migration 0005's function (one renewal per statement).
_POSTGRES_TRIGGERS = {f"{table}_catalog_changed": table for table in _TABLES}
_CATALOG_TOKEN = run_per_dialect(
    sqlite=sqlite_token_triggers("catalog_version", _SQLITE_TRIGGERS),
    postgres=[
        f"CREATE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION wellness_catalog_changed()"
        for name, table in _POSTGRES_TRIGGERS.items()
    ],
    sqlite_drop=[f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS],
    postgres_drop=[
        f"DROP TRIGGER IF EXISTS {name} ON {table}" for name, table in _POSTGRES_TRIGGERS.items()
    ],
)


class Migration(migrations.Migration):
    dependencies = [('wellness', '0020_practice_reminders')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Collection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=120)),
                ('live_title', fields.CharField(null=True, unique=True, max_length=360)),
                ('description', fields.TextField(default='', unique=False)),
                ('status', fields.CharEnumField(default=Status.DRAFT, db_index=True, description='DRAFT: draft\nPUBLISHED: published\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('created_by', fields.ForeignKeyField('wellness.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('wellness.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'collections', 'app': 'wellness', 'indexes': [Index(fields=['status', 'title'])], 'pk_attr': 'id', 'table_description': "A coordinator's programme of sessions, in order."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='CollectionEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('collection', fields.ForeignKeyField('wellness.Collection', source_field='collection_id', db_constraint=True, to_field='id', related_name='entries', on_delete=OnDelete.CASCADE)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.RESTRICT)),
                ('position', fields.SmallIntField()),
            ],
            options={'table': 'collection_entries', 'app': 'wellness', 'unique_together': (('collection', 'session'), ('collection', 'position')), 'indexes': [Index(fields=['session_id'])], 'pk_attr': 'id', 'table_description': "A session's place in a collection."},
            bases=['Model'],
        ),
        _CATALOG_TOKEN,
    ]
