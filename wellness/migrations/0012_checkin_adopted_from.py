from tortoise import fields, migrations
from tortoise.migrations import operations as ops
from wellness.migrations._dialect import run_per_dialect, sqlite_token_triggers

# An after rating copied from a quick check-in made just after a practice names the check-in
# (wellness.checkins.models.Checkin.adopted_from_id). A plain nullable column: ADD COLUMN on
# both databases, no table rebuild, so migration 0011's SQLite triggers on checkins stay.
#
# Undoing it drops the column, which Tortoise does on SQLite by rebuilding checkins, and that
# drops migration 0011's care token triggers on it and migration 0004's index (tortoise-orm
# 1.1.9 recreates neither): the step before the column creates them again when undone.
_CHECKINS_TRIGGERS = {
    f"checkins_care_{event.lower()}": f"AFTER {event} ON checkins"
    for event in ("INSERT", "UPDATE", "DELETE")
}
# Named as Tortoise named it in migration 0004.
_CHECKINS_INDEX = (
    'CREATE INDEX IF NOT EXISTS "idx_checkins_patient_c9a65e" '
    'ON "checkins" ("patient_id", "occurred_at")'
)


class Migration(migrations.Migration):
    dependencies = [('wellness', '0011_care_change_token')]

    initial = False

    operations = [
        run_per_dialect(
            sqlite=[],
            postgres=[],
            sqlite_drop=[*sqlite_token_triggers("care_version", _CHECKINS_TRIGGERS), _CHECKINS_INDEX],
            postgres_drop=[],
        ),
        ops.AddField(
            model_name='Checkin',
            name='adopted_from_id',
            field=fields.IntField(null=True),
        ),
    ]
