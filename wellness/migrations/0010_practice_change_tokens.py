from tortoise import migrations
from wellness.migrations._dialect import run_per_dialect

# A practice change token per patient (wellness.caseload.dashboard_data): the row
# instance_flags['practice:<patient id>'] gets a new random value in the same transaction as
# every insert or update of that patient's practice logs, and every delete of one, whoever
# writes. The therapist's dashboard keeps each patient's streak and adherence under it, and reads
# 200 tokens (primary-key lookups) instead of aggregating every practice log of the caseload on
# each view (a GROUP BY over ~20,000 rows, most of that page's database time).
#
# Insert and update create the row when it is missing (upsert); a delete only renews an existing
# one, so emptying the tables one by one (`wellness.system.services.wipe_all_data`) leaves none
# behind whatever the order. Every patient with practice gets a token here, so a delete always
# finds one. Random rather than a counter: a database restored from a backup never repeats a
# token a running process saw.
#
# SQLite: row triggers. Any later migration that rebuilds practice_logs on SQLite drops them and
# must create them again; tests/services/test_dashboard_queries.py fails if it does not.
_KEY = "'practice:' || {row}.patient_id"
_SQLITE_VALUE = "lower(hex(randomblob(16)))"
_POSTGRES_VALUE = "gen_random_uuid()::text"


def _upsert(row, value):
    return (
        f"INSERT INTO instance_flags (key, value) VALUES ({_KEY.format(row=row)}, {value}) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
    )


def _renew(row, value):
    return f"UPDATE instance_flags SET value = {value} WHERE key = {_KEY.format(row=row)};"


def _backfill(value):
    return (
        "INSERT INTO instance_flags (key, value) "
        f"SELECT 'practice:' || patient_id, MIN({value}) FROM practice_logs WHERE true GROUP BY patient_id "
        "ON CONFLICT (key) DO NOTHING"
    )


_SQLITE_TRIGGERS = {
    "practice_logs_token_insert": ("AFTER INSERT ON practice_logs", _upsert("NEW", _SQLITE_VALUE)),
    "practice_logs_token_update": (
        "AFTER UPDATE ON practice_logs",
        _renew("OLD", _SQLITE_VALUE) + " " + _upsert("NEW", _SQLITE_VALUE),
    ),
    "practice_logs_token_delete": ("AFTER DELETE ON practice_logs", _renew("OLD", _SQLITE_VALUE)),
}
_SQLITE = [
    f"CREATE TRIGGER {name} {event} BEGIN {body} END"
    for name, (event, body) in _SQLITE_TRIGGERS.items()
] + [_backfill(_SQLITE_VALUE)]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS] + [
    "DELETE FROM instance_flags WHERE key LIKE 'practice:%'"
]

# PostgreSQL: one row trigger (a statement trigger would not know whose practice changed).
# No TRUNCATE trigger: only wiping a demo database truncates, and it empties instance_flags too.
_POSTGRES = [
    "CREATE FUNCTION wellness_practice_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"IF TG_OP <> 'INSERT' THEN {_renew('OLD', _POSTGRES_VALUE)} END IF; "
    f"IF TG_OP <> 'DELETE' THEN {_upsert('NEW', _POSTGRES_VALUE)} END IF; "
    "RETURN NULL; END $$",
    "CREATE TRIGGER practice_logs_token AFTER INSERT OR UPDATE OR DELETE ON practice_logs "
    "FOR EACH ROW EXECUTE FUNCTION wellness_practice_changed()",
    _backfill(_POSTGRES_VALUE),
]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS practice_logs_token ON practice_logs",
    "DROP FUNCTION IF EXISTS wellness_practice_changed()",
    "DELETE FROM instance_flags WHERE key LIKE 'practice:%'",
]


class Migration(migrations.Migration):
    dependencies = [('wellness', '0009_suggestion_logs')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=_SQLITE,
            postgres=_POSTGRES,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
