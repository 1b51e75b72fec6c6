# Personal data at rest (issue 12 B): columns encrypted, existing rows rewritten in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("supervision", "0014_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaint",
            name="contact_phone",
            field=core.pii.EncryptedField(blank=True, verbose_name="联系电话"),
        ),
        core.pii.rewrite_operation("supervision", "complaint", ["contact_phone"]),
    ]
