import django.db.models.deletion
from django.db import migrations, models

# The foreign key's own index (company_id alone) goes: (company, last_name) and the new
# (company, created_at) serve every lookup by company. Dropped by name rather than by AlterField,
# which on SQLite would copy the whole people table to drop one index.
FK_INDEX = "crm_person_company_id_8600d9f0"


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0007_deal_closed_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="person",
                    name="company",
                    field=models.ForeignKey(blank=True, db_index=False, null=True,
                                            on_delete=django.db.models.deletion.SET_NULL, related_name="people",
                                            to="crm.company"),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{FK_INDEX}"',
                                  reverse_sql=f'CREATE INDEX "{FK_INDEX}" ON "crm_person" ("company_id")'),
            ],
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["company", "created_at"], name="person_company_created"),
        ),
    ]
