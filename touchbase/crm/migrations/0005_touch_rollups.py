"""The reports' touch rollups (TouchDay, FirstReply), the triggers that keep them, and their first count."""

from django.db import migrations, models

from touchbase.crm import rollup


def install(apps, schema_editor):
    rollup.install(schema_editor.connection)
    rollup.rebuild(schema_editor.connection)


def uninstall(apps, schema_editor):
    rollup.uninstall(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0004_report_indexes'),
    ]

    operations = [
        migrations.CreateModel(
            name='FirstReply',
            fields=[
                ('person_id', models.BigIntegerField(primary_key=True, serialize=False)),
                ('touch_id', models.BigIntegerField()),
                ('happened_at', models.DateTimeField()),
                ('by', models.PositiveIntegerField()),
            ],
            options={
                'indexes': [models.Index(fields=['happened_at', 'by'], name='crm_firstre_happene_cfda2e_idx')],
            },
        ),
        migrations.CreateModel(
            name='TouchDay',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('day', models.DateField()),
                ('by', models.PositiveIntegerField()),
                ('kind', models.CharField(choices=[('email', 'Email'), ('call', 'Call'), ('meeting', 'Meeting'), ('note', 'Note'), ('social', 'Social'), ('other', 'Other')], max_length=8)),
                ('direction', models.CharField(choices=[('out', 'Outbound'), ('in', 'Inbound')], max_length=3)),
                ('touches', models.IntegerField(default=0)),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('day', 'by', 'kind', 'direction'), name='touch_day_key')],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
