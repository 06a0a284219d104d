from tortoise import migrations
from wellness.migrations._dialect import clinic_token

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

# PostgreSQL: statement triggers (one bump per statement, however many rows it touched). No
# TRUNCATE trigger: only wiping a demo database truncates, and it empties instance_flags too,
# which leaves no token, and without a token nothing is cached.
_POSTGRES_TRIGGERS = {
    "practice_sessions_catalog_changed": ("practice_sessions", "INSERT OR UPDATE OR DELETE"),
    "session_tags_catalog_changed": ("session_tags", "INSERT OR UPDATE OR DELETE"),
    "media_assets_catalog_changed": (
        "media_assets",
        "UPDATE OF cover_sha256, cover_mime_type OR DELETE",
    ),
}


class Migration(migrations.Migration):
    dependencies = [('wellness', '0004_practice_and_checkins')]

    initial = False

    operations = [
        clinic_token(
            "catalog_version",
            "wellness_catalog_changed",
            sqlite_triggers=_SQLITE_TRIGGERS,
            postgres_triggers=_POSTGRES_TRIGGERS,
        ),
    ]
