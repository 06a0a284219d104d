from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

# The library's usage figures (wellness.caseload.usage) read a period's practice per session and
# the ratings around each practice. Without these, every view scanned every practice and rating
# of the clinic (a year of 100 patients: 60 CPU ms a view; with them, the default 28 days reads
# only that period's rows: bench/README.md, usage.py). The ratings around a practice are read by
# id elsewhere too (a patient's history, the practice API), and a deleted practice's ratings go
# with it (ON DELETE CASCADE): both scanned every rating before.
#
# Only CREATE INDEX / DROP INDEX: no table is rebuilt on SQLite, so the change-token triggers of
# migrations 0010 and 0011 on these tables stay as they are.


class Migration(migrations.Migration):
    dependencies = [('wellness', '0015_alert_notifications')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='PracticeLog',
            index=Index(fields=['session_id', 'started_at']),
        ),
        ops.AddIndex(
            model_name='Checkin',
            index=Index(fields=['practice_id']),
        ),
    ]
