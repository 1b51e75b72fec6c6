# Personal data at rest (issue 12 B): columns encrypted, existing rows rewritten in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("windows", "0006_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="consultation",
            name="asker_id_number",
            field=core.pii.EncryptedField(blank=True, verbose_name="身份证号码"),
        ),
        migrations.AlterField(
            model_name="consultation",
            name="asker_phone",
            field=core.pii.EncryptedField(blank=True, verbose_name="联系电话"),
        ),
        core.pii.rewrite_operation("windows", "consultation", ["asker_phone", "asker_id_number"]),
    ]
