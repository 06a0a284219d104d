from tortoise import migrations
from wellness.migrations._dialect import run_per_dialect

# A care-data change token (wellness.caseload.dashboard): the row instance_flags['care_version']
# gets a new random value in the same transaction as every write to what a therapist's dashboard
# shows (check-ins, GAD-7, alerts, care teams, practice logs, assigned practices with their
# versions and pauses, contraindications and overrides, and a patient's name, zone, role or
# active flag), whoever writes. A dashboard computed under one token is served again, without
# reading the caseload, while the token and the patients' practice days stay the same and no
# high rating has left the 24-hour window: one primary-key read instead of the caseload's
# queries. One token for the clinic rather than one per therapist: a write anywhere renews it,
# and the dashboards that see the new token recompute only the patients whose own keys changed
# (the per-patient caches in wellness.caseload.dashboard_data).
#
# SQLite: row triggers. Any later migration that rebuilds one of these tables on SQLite drops
# its triggers and must create them again; tests/services/test_dashboard_cache.py fails if not.
_FLAG = "'care_version'"
_SQLITE_BUMP = (
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, lower(hex(randomblob(16)))) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value;"
)
_TABLES = (
    "checkins",
    "gad7_responses",
    "care_alerts",
    "care_team_members",
    "practice_logs",
    "care_practice_assignments",
    "care_assignment_versions",
    "care_assignment_pauses",
    "care_patient_contraindications",
    "care_session_overrides",
)
# Sign-ins and password changes write users too; only what the dashboard shows counts.
_USER_COLUMNS = "display_name, time_zone, role, is_active"
_SQLITE_TRIGGERS = {
    **{
        f"{table}_care_{event.lower()}": f"AFTER {event} ON {table}"
        for table in _TABLES
        for event in ("INSERT", "UPDATE", "DELETE")
    },
    "users_care_update": f"AFTER UPDATE OF {_USER_COLUMNS} ON users",
    "users_care_delete": "AFTER DELETE ON users",
}
_SQLITE = [
    f"CREATE TRIGGER {name} {event} BEGIN {_SQLITE_BUMP} END"
    for name, event in _SQLITE_TRIGGERS.items()
] + [_SQLITE_BUMP]
_SQLITE_DROP = [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS] + [
    f"DELETE FROM instance_flags WHERE key = {_FLAG}"
]

# PostgreSQL: statement triggers (one renewal per statement, however many rows it touched).
# The renewal locks the one token row until the transaction ends, after the statement's own
# rows and, for practice logs, after the patient's practice token (migration 0010's row
# trigger). Every transaction today writes practice logs before any other care table, so the
# locks are always taken practice token first, then this token: keep that order (a transaction
# that wrote, say, a check-in and then a practice log while another updates that patient's
# practice could deadlock, and PostgreSQL would abort one of them;
# tests/services/test_practice_races.py races one patient's different writes and fails then).
# No TRUNCATE trigger: only wiping a demo database truncates, and it empties instance_flags
# too, which leaves no token, and without a token nothing is kept.
_POSTGRES_TRIGGERS = {
    **{f"{table}_care_changed": (table, "INSERT OR UPDATE OR DELETE") for table in _TABLES},
    "users_care_changed": ("users", f"UPDATE OF {_USER_COLUMNS} OR DELETE"),
}
_POSTGRES = [
    "CREATE FUNCTION wellness_care_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, gen_random_uuid()::text) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value; RETURN NULL; END $$",
    *(
        f"CREATE TRIGGER {name} AFTER {events} ON {table} FOR EACH STATEMENT "
        "EXECUTE FUNCTION wellness_care_changed()"
        for name, (table, events) in _POSTGRES_TRIGGERS.items()
    ),
    f"INSERT INTO instance_flags (key, value) VALUES ({_FLAG}, gen_random_uuid()::text) "
    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
]
_POSTGRES_DROP = [
    *(
        f"DROP TRIGGER IF EXISTS {name} ON {table}"
        for name, (table, _) in _POSTGRES_TRIGGERS.items()
    ),
    "DROP FUNCTION IF EXISTS wellness_care_changed()",
    f"DELETE FROM instance_flags WHERE key = {_FLAG}",
]


class Migration(migrations.Migration):
    dependencies = [('wellness', '0010_practice_change_tokens')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=_SQLITE,
            postgres=_POSTGRES,
            sqlite_drop=_SQLITE_DROP,
            postgres_drop=_POSTGRES_DROP,
        ),
    ]
