import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0016_licence_types"),
        ("matters", "0012_catalog_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="matter",
            name="licence_type",
            field=models.ForeignKey(blank=True, help_text="办结出具证照的事项:所出证照的类型(有效期、持证主体、照面信息)。", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="matters", to="exchange.licencetype", verbose_name="证照类型"),
        ),
    ]
