import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# The owner foreign keys' own indexes go: (owner, name) on companies and (owner, last_touch_at) on
# people start with owner_id and serve every lookup by owner, and each index on crm_person costs the
# lead-list import an update per row. Dropped by name rather than by AlterField, which on SQLite
# would copy both tables to drop one index each.
FK_INDEXES = {"crm_company": "crm_company_owner_id_a25b9c7d", "crm_person": "crm_person_owner_id_f2f347aa"}


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0008_person_company_created_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="company",
                    name="owner",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL, related_name="companies",
                                            to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name="person",
                    name="owner",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL, related_name="people",
                                            to=settings.AUTH_USER_MODEL),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"',
                                  reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("owner_id")')
                for table, name in FK_INDEXES.items()
            ],
        ),
    ]
