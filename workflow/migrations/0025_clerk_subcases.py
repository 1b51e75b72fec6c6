"""Who accepted a sub-case's application, on the sub-case (issue 15: a clerk's sub-cases newest
first as one index range), filled from the applications; and the index of the cases a clerk
registered that someone else accepted."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_accepted_by(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":  # one join, not a look-up per sub-case
        schema_editor.execute(
            "UPDATE workflow_subcase s SET accepted_by_id = a.accepted_by_id FROM workflow_application a "
            "WHERE a.id = s.application_id AND a.accepted_by_id IS NOT NULL")
    else:
        schema_editor.execute(
            "UPDATE workflow_subcase SET accepted_by_id = (SELECT a.accepted_by_id FROM workflow_application a "
            "WHERE a.id = workflow_subcase.application_id)")


class Migration(migrations.Migration):

    dependencies = [
        ('workflow', '0024_alter_material_source'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='subcase',
            name='accepted_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='受理人', db_index=False),
        ),
        migrations.RunPython(fill_accepted_by, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='application',
            index=models.Index(condition=models.Q(('created_by__isnull', False), ('accepted_on__isnull', False), models.Q(('accepted_by__isnull', True), ('accepted_by__lt', models.F('created_by')), ('accepted_by__gt', models.F('created_by')), _connector='OR')), fields=['created_by'], name='application_registered_idx'),
        ),
        migrations.AddIndex(
            model_name='subcase',
            index=models.Index(fields=['accepted_by', 'id'], name='subcase_accepted_by_idx'),
        ),
    ]
