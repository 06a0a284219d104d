from tortoise import migrations
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# The care-data change token (migration 0011) renewed by every write to saved_sessions, whoever
# writes, so that the count of a patient's saved sessions on their home page can be kept between
# requests under it (wellness.catalog.saved.saved_count): saving or unsaving in any worker or
# host is then seen at once. No table is altered, so nothing is rebuilt on SQLite. Undoing it
# drops the triggers only.
_SQLITE_TRIGGERS = {
    f"saved_sessions_care_{event.lower()}": f"AFTER {event} ON saved_sessions"
    for event in ("INSERT", "UPDATE", "DELETE")
}
# PostgreSQL: a statement trigger calling migration 0011's function (one renewal per statement).
_POSTGRES_TRIGGER = "saved_sessions_care_changed"


class Migration(migrations.Migration):
    dependencies = [('wellness', '0025_collection_follows_care_token')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=sqlite_token_triggers("care_version", _SQLITE_TRIGGERS),
            postgres=[
                f"CREATE TRIGGER {_POSTGRES_TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                "ON saved_sessions FOR EACH STATEMENT EXECUTE FUNCTION wellness_care_changed()"
            ],
            sqlite_drop=[f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS],
            postgres_drop=[f"DROP TRIGGER IF EXISTS {_POSTGRES_TRIGGER} ON saved_sessions"],
        ),
    ]
