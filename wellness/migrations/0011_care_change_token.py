from tortoise import migrations
from wellness.migrations._dialect import clinic_token

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


class Migration(migrations.Migration):
    dependencies = [('wellness', '0010_practice_change_tokens')]

    initial = False

    operations = [
        clinic_token(
            "care_version",
            "wellness_care_changed",
            sqlite_triggers=_SQLITE_TRIGGERS,
            postgres_triggers=_POSTGRES_TRIGGERS,
        ),
    ]
