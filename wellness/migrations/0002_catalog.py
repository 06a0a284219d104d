from tortoise import migrations
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import run_per_dialect
import functools
from json import dumps, loads
from tortoise.fields.base import OnDelete
from wellness.catalog.kinds import Guidance, Kind, Level, Posture, Status
from tortoise import fields

# Full-text search over title, instructor, description and transcript (wellness.catalog.search).
# SQLite: an external-content FTS5 table kept in step by triggers. Any later migration that
# rebuilds practice_sessions on SQLite drops these triggers and must create them again; the
# catalog search tests fail if it does not. Migration 0014 replaces both with ones that search
# the tags too.
_COLUMNS = "title, instructor, description, transcript"
_SQLITE = [
    "CREATE VIRTUAL TABLE session_search USING fts5("
    f"{_COLUMNS}, content='practice_sessions', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    f"INSERT INTO session_search(rowid, {_COLUMNS}) SELECT id, {_COLUMNS} FROM practice_sessions",
    "CREATE TRIGGER practice_sessions_search_insert AFTER INSERT ON practice_sessions BEGIN "
    f"INSERT INTO session_search(rowid, {_COLUMNS}) "
    "VALUES (new.id, new.title, new.instructor, new.description, new.transcript); END",
    "CREATE TRIGGER practice_sessions_search_delete AFTER DELETE ON practice_sessions BEGIN "
    f"INSERT INTO session_search(session_search, rowid, {_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.instructor, old.description, old.transcript); END",
    "CREATE TRIGGER practice_sessions_search_update AFTER UPDATE ON practice_sessions BEGIN "
    f"INSERT INTO session_search(session_search, rowid, {_COLUMNS}) "
    "VALUES ('delete', old.id, old.title, old.instructor, old.description, old.transcript); "
    f"INSERT INTO session_search(rowid, {_COLUMNS}) "
    "VALUES (new.id, new.title, new.instructor, new.description, new.transcript); END",
]
_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS practice_sessions_search_insert",
    "DROP TRIGGER IF EXISTS practice_sessions_search_delete",
    "DROP TRIGGER IF EXISTS practice_sessions_search_update",
    "DROP TABLE IF EXISTS session_search",
]
# PostgreSQL: a generated, weighted tsvector column with a GIN index ('simple': no stemming,
# so every language is searched the same way).
_POSTGRES = [
    "ALTER TABLE practice_sessions ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(instructor, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(description, '')), 'C') || "
    "setweight(to_tsvector('simple', coalesce(transcript, '')), 'D')) STORED",
    "CREATE INDEX practice_sessions_search_idx ON practice_sessions USING GIN (search_vector)",
]
_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS practice_sessions_search_idx",
    "ALTER TABLE practice_sessions DROP COLUMN IF EXISTS search_vector",
]


class Migration(migrations.Migration):
    dependencies = [('wellness', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='MediaAsset',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('sha256', fields.CharField(unique=True, max_length=64)),
                ('size_bytes', fields.BigIntField()),
                ('container', fields.CharField(max_length=16)),
                ('codec', fields.CharField(default='', max_length=32)),
                ('mime_type', fields.CharField(max_length=32)),
                ('extension', fields.CharField(max_length=8)),
                ('has_video', fields.BooleanField(default=False)),
                ('duration_seconds', fields.FloatField()),
                ('bitrate', fields.IntField(null=True)),
                ('sample_rate', fields.IntField(null=True)),
                ('channels', fields.IntField(null=True)),
                ('tag_title', fields.CharField(default='', max_length=255)),
                ('tag_artist', fields.CharField(default='', max_length=255)),
                ('tag_album', fields.CharField(default='', max_length=255)),
                ('tag_comment', fields.CharField(default='', max_length=500)),
                ('cover_sha256', fields.CharField(null=True, max_length=64)),
                ('cover_mime_type', fields.CharField(null=True, max_length=32)),
                ('original_filename', fields.CharField(default='', max_length=255)),
                ('uploaded_by', fields.ForeignKeyField('wellness.User', source_field='uploaded_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('uploaded_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'media_assets', 'app': 'wellness', 'pk_attr': 'id', 'table_description': 'One stored media file, named by its content hash. Identical bytes are stored once.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PracticeSession',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('title', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(description='MEDITATION: meditation\nBREATHING: breathing\nYOGA: yoga\nBODY_SCAN: body_scan\nGROUNDING: grounding\nSLEEP: sleep', enum_type=Kind, max_length=16)),
                ('description', fields.TextField(default='', unique=False)),
                ('instructor', fields.CharField(default='', max_length=120)),
                ('language', fields.CharField(default='en', max_length=16)),
                ('level', fields.CharEnumField(default=Level.BEGINNER, description='BEGINNER: beginner\nINTERMEDIATE: intermediate\nADVANCED: advanced', enum_type=Level, max_length=16)),
                ('posture', fields.CharEnumField(default=Posture.SEATED, description='SEATED: seated\nLYING: lying\nSTANDING: standing', enum_type=Posture, max_length=16)),
                ('guidance', fields.CharEnumField(default=Guidance.GUIDED, description='GUIDED: guided\nSILENT: silent', enum_type=Guidance, max_length=16)),
                ('transcript', fields.TextField(default='', unique=False)),
                ('anxiety_min', fields.SmallIntField(default=0)),
                ('anxiety_max', fields.SmallIntField(default=10)),
                ('contraindications', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('status', fields.CharEnumField(default=Status.DRAFT, db_index=True, description='DRAFT: draft\nPUBLISHED: published\nARCHIVED: archived', enum_type=Status, max_length=16)),
                ('primary_asset', fields.ForeignKeyField('wellness.MediaAsset', source_field='primary_asset_id', null=True, db_constraint=True, to_field='id', related_name='sessions', on_delete=OnDelete.RESTRICT)),
                ('duration_seconds', fields.FloatField(default=0)),
                ('created_by', fields.ForeignKeyField('wellness.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('updated_by', fields.ForeignKeyField('wellness.User', source_field='updated_by_id', null=True, db_constraint=True, to_field='id', related_name=False, on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'practice_sessions', 'app': 'wellness', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SessionTag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('session', fields.ForeignKeyField('wellness.PracticeSession', source_field='session_id', db_constraint=True, to_field='id', related_name='tags', on_delete=OnDelete.CASCADE)),
                ('tag', fields.CharField(db_index=True, max_length=48)),
            ],
            options={'table': 'session_tags', 'app': 'wellness', 'unique_together': (('session', 'tag'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        run_per_dialect(
            sqlite=_SQLITE,
            postgres=_POSTGRES,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
