from tortoise import migrations
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# The care-data change token (migration 0011) renewed by every write to collection_follows,
# whoever writes, so that a patient's progress through the collections they follow can be kept
# between requests under the care and catalog tokens (wellness.caseload.collection_progress):
# starting or stopping a collection is then seen at once by every worker. No table is altered,
# so nothing is rebuilt on SQLite. Undoing it drops the triggers only.
_SQLITE_TRIGGERS = {
    f"collection_follows_care_{event.lower()}": f"AFTER {event} ON collection_follows"
    for event in ("INSERT", "UPDATE", "DELETE")
}
# PostgreSQL: a statement trigger calling migration 0011's function (one renewal per statement).
_POSTGRES_TRIGGER = "collection_follows_care_changed"


class Migration(migrations.Migration):
    dependencies = [('wellness', '0024_saved_sessions')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=sqlite_token_triggers("care_version", _SQLITE_TRIGGERS),
            postgres=[
                f"CREATE TRIGGER {_POSTGRES_TRIGGER} AFTER INSERT OR UPDATE OR DELETE "
                "ON collection_follows FOR EACH STATEMENT EXECUTE FUNCTION wellness_care_changed()"
            ],
            sqlite_drop=[f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS],
            postgres_drop=[f"DROP TRIGGER IF EXISTS {_POSTGRES_TRIGGER} ON collection_follows"],
        ),
    ]
