from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# Full-text search over the session's tags too (wellness.catalog.search), weighted like the
# instructor: below the title, above the description. A generated column and an FTS5 external-
# content table read only their own row, so the tags are copied into practice_sessions.tag_text
# (rules.tag_text: sorted, space-separated), which wellness.catalog.editing writes with every
# change of the tags. Existing sessions get theirs from session_tags here.
#
# 1. Drop migration 0002's search index (its FTS5 table and triggers; its generated column).
# 2. Add tag_text: ADD COLUMN with a default on both databases, no rebuild.
# 3. Fill tag_text, then build the index again with tag_text among its columns.
#
# SQLite: any later migration that rebuilds practice_sessions drops the triggers of step 3 and
# must create them again; the catalog search tests fail if it does not. Undoing this migration
# rebuilds practice_sessions on SQLite (Tortoise drops a column that way), which drops every
# trigger and index on it (tortoise-orm 1.1.9 recreates neither): undoing step 1, which runs
# after that rebuild, creates 0002's search, 0005's catalog token triggers and the indexes again.
_BEFORE = ("title", "instructor", "description", "transcript")
_AFTER = ("title", "instructor", "tag_text", "description", "transcript")
_BEFORE_WEIGHTS = {"title": "A", "instructor": "B", "description": "C", "transcript": "D"}
_AFTER_WEIGHTS = {**_BEFORE_WEIGHTS, "tag_text": "B"}


def _sqlite_search(columns):
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    insert = f"INSERT INTO session_search(rowid, {names}) VALUES (new.id, {new});"
    delete = (
        f"INSERT INTO session_search(session_search, rowid, {names}) "
        f"VALUES ('delete', old.id, {old});"
    )
    return [
        f"CREATE VIRTUAL TABLE session_search USING fts5({names}, content='practice_sessions', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
        f"INSERT INTO session_search(rowid, {names}) SELECT id, {names} FROM practice_sessions",
        "CREATE TRIGGER practice_sessions_search_insert AFTER INSERT ON practice_sessions "
        f"BEGIN {insert} END",
        "CREATE TRIGGER practice_sessions_search_delete AFTER DELETE ON practice_sessions "
        f"BEGIN {delete} END",
        "CREATE TRIGGER practice_sessions_search_update AFTER UPDATE ON practice_sessions "
        f"BEGIN {delete} {insert} END",
    ]


_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS practice_sessions_search_insert",
    "DROP TRIGGER IF EXISTS practice_sessions_search_delete",
    "DROP TRIGGER IF EXISTS practice_sessions_search_update",
    "DROP TABLE IF EXISTS session_search",
]
# Migration 0005's triggers on practice_sessions (the others are on tables not rebuilt here).
_CATALOG_TOKEN_TRIGGERS = {
    "practice_sessions_catalog_insert": "AFTER INSERT ON practice_sessions",
    "practice_sessions_catalog_update": "AFTER UPDATE ON practice_sessions",
    "practice_sessions_catalog_delete": "AFTER DELETE ON practice_sessions",
}
# The indexes of practice_sessions (migrations 0002 and 0003), named as Tortoise named them.
_INDEXES = [
    'CREATE INDEX IF NOT EXISTS "idx_practice_se_status_3fc285" ON "practice_sessions" ("status")',
    'CREATE INDEX IF NOT EXISTS "idx_practice_se_status_66cf3f" '
    'ON "practice_sessions" ("status", "title")',
    'CREATE INDEX IF NOT EXISTS "idx_practice_se_title_0bc0db" ON "practice_sessions" ("title")',
]
_SQLITE_BACKFILL = (
    "UPDATE practice_sessions SET tag_text = (SELECT group_concat(tag, ' ') FROM ("
    "SELECT tag FROM session_tags t WHERE t.session_id = practice_sessions.id ORDER BY tag)) "
    "WHERE id IN (SELECT session_id FROM session_tags)"
)


def _postgres_search(weights):
    vector = " || ".join(
        f"setweight(to_tsvector('simple', coalesce({column}, '')), '{weight}')"
        for column, weight in weights.items()
    )
    return [
        "ALTER TABLE practice_sessions ADD COLUMN search_vector tsvector "
        f"GENERATED ALWAYS AS ({vector}) STORED",
        "CREATE INDEX practice_sessions_search_idx ON practice_sessions USING GIN (search_vector)",
    ]


_POSTGRES_DROP = [
    "DROP INDEX IF EXISTS practice_sessions_search_idx",
    "ALTER TABLE practice_sessions DROP COLUMN IF EXISTS search_vector",
]
# Sorted by code point, as rules.tag_text sorts (the order does not change what matches).
_POSTGRES_BACKFILL = (
    "UPDATE practice_sessions s SET tag_text = t.text FROM ("
    "SELECT session_id, string_agg(tag, ' ' ORDER BY tag COLLATE \"C\") AS text "
    "FROM session_tags GROUP BY session_id) t WHERE s.id = t.session_id"
)


class Migration(migrations.Migration):
    dependencies = [('wellness', '0013_suggestion_follow_named')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=_SQLITE_DROP,
            postgres=_POSTGRES_DROP,
            sqlite_drop=[
                *_sqlite_search(_BEFORE),
                *sqlite_token_triggers("catalog_version", _CATALOG_TOKEN_TRIGGERS),
                *_INDEXES,
            ],
            postgres_drop=_postgres_search(_BEFORE_WEIGHTS),
        ),
        ops.AddField(
            model_name='PracticeSession',
            name='tag_text',
            field=fields.TextField(default='', db_default='', unique=False),
        ),
        run_per_dialect(
            sqlite=[_SQLITE_BACKFILL, *_sqlite_search(_AFTER)],
            postgres=[_POSTGRES_BACKFILL, *_postgres_search(_AFTER_WEIGHTS)],
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
