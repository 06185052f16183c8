from django.db import migrations


def forwards(apps, schema_editor):
    from touchbase.crm.pipeline_defaults import create_default_pipeline

    create_default_pipeline(apps.get_model("crm", "Pipeline"), apps.get_model("crm", "Stage"),
                            apps.get_model("crm", "ExitCriterion"))


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
