import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("matters", "0006_matter_versions"),
        ("workflow", "0005_deferred_materials"),
    ]

    operations = [
        migrations.AddField(
            model_name="application",
            name="matter_versions",
            field=models.ManyToManyField(blank=True, related_name="applications", to="matters.matterversion",
                                         verbose_name="申请时的办事指南版本"),
        ),
        migrations.AddField(
            model_name="subcase",
            name="matter_version",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="subcases", to="matters.matterversion", verbose_name="办事指南版本"),
        ),
    ]
