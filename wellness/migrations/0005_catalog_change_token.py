from tortoise import migrations
from wellness.migrations._dialect import run_per_dialect

# A catalog change token (wellness.catalog.cache): the row instance_flags['catalog_version']
# gets a new random value in the same transaction as every write to the sessions, their tags or
# their media's covers, whoever writes (the app, any worker, the CLI, a hand-run SQL). Caches
# key what they keep by the token they read, so one cheap read tells every worker on every host
# whether its cached catalog pages are still current. Random rather than a counter: a
# database emptied or restored from a backup never repeats a token a running process saw.
#
# SQLite: row triggers. Any later migration that rebuilds practice_sessions, session_tags or
# media_assets on SQLite drops these triggers and must create them again; the catalog cache
# tests fail if it does not.
_FLAG = "'catalog_version'"
_SQLITE_BUMP = (
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, lower(hex(randomblob(16)))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
)
_SQLITE_TRIGGERS = {
    "practice_sessions_catalog_insert": "AFTER INSERT ON practice_sessions",
    "practice_sessions_catalog_update": "AFTER UPDATE ON practice_sessions",
    "practice_sessions_catalog_delete": "AFTER DELETE ON practice_sessions",
    "session_tags_catalog_insert": "AFTER INSERT ON session_tags",
    "session_tags_catalog_update": "AFTER UPDATE ON session_tags",
    "session_tags_catalog_delete": "AFTER DELETE ON session_tags",
    "media_assets_catalog_update": "AFTER UPDATE OF cover_sha256, cover_mime_type ON media_assets",
    "media_assets_catalog_delete": "AFTER DELETE ON media_assets",
}
_SQLITE = [
    f"CREATE TRIGGER {name} {event} BEGIN {_SQLITE_BUMP} END"
    for name, event in _SQLITE_TRIGGERS.items()
] + [_SQLITE_BUMP]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS] + [
    f"DELETE FROM instance_flags WHERE key = {_FLAG}"
]

# PostgreSQL: statement triggers (one bump per statement, however many rows it touched). No
# TRUNCATE trigger: only wiping a demo database truncates, and it empties instance_flags too,
# which leaves no token, and without a token nothing is cached.
_POSTGRES_TRIGGERS = {
    "practice_sessions_catalog_changed": "AFTER INSERT OR UPDATE OR DELETE ON practice_sessions",
    "session_tags_catalog_changed": "AFTER INSERT OR UPDATE OR DELETE ON session_tags",
    "media_assets_catalog_changed": "AFTER UPDATE OF cover_sha256, cover_mime_type OR DELETE ON media_assets",
}
_POSTGRES = [
    "CREATE FUNCTION wellness_catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, gen_random_uuid()::text) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {name} {event} FOR EACH STATEMENT "
        "EXECUTE FUNCTION wellness_catalog_changed()"
        for name, event in _POSTGRES_TRIGGERS.items()
    ),
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, gen_random_uuid()::text) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
]
_POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {event.rsplit(' ', 1)[1]}"
        for name, event in _POSTGRES_TRIGGERS.items()
    ),
    "DROP FUNCTION IF EXISTS wellness_catalog_changed()",
    f"DELETE FROM instance_flags WHERE key = {_FLAG}",
]


class Migration(migrations.Migration):
    dependencies = [('wellness', '0004_practice_and_checkins')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=_SQLITE,
            postgres=_POSTGRES,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
