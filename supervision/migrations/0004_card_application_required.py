import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0003_default_policy"),
    ]

    operations = [
        migrations.AlterField(
            model_name="card",
            name="application",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="cards", to="workflow.application", verbose_name="办件"),
        ),
    ]
