from tortoise import migrations
from wellness.migrations._dialect import CareTokenTriggers

# The care-data change token (migration 0011) renewed by every write to saved_sessions, whoever
# writes, so that the count of a patient's saved sessions on their home page can be kept between
# requests under it (wellness.catalog.saved.saved_count): saving or unsaving in any worker or
# host is then seen at once. Undoing it drops the triggers only.
_TRIGGERS = CareTokenTriggers("saved_sessions")
_SQLITE_TRIGGERS = _TRIGGERS.sqlite_triggers
_POSTGRES_TRIGGER = _TRIGGERS.postgres_trigger


class Migration(migrations.Migration):
    dependencies = [('wellness', '0025_collection_follows_care_token')]

    initial = False

    operations = [_TRIGGERS.operation()]
