from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('wellness', '0002_catalog')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='PracticeSession',
            index=Index(fields=['status', 'title']),
        ),
        ops.AddIndex(
            model_name='PracticeSession',
            index=Index(fields=['title']),
        ),
    ]
