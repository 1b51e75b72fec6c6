# Personal data at rest (issue 12 B): columns encrypted, existing rows rewritten in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0017_audit_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="application",
            name="form_data",
            field=core.pii.EncryptedJSONField(default=dict, verbose_name="表单内容"),
        ),
        migrations.AlterField(
            model_name="application",
            name="post_address",
            field=core.pii.EncryptedField(blank=True, verbose_name="邮寄地址"),
        ),
        migrations.AlterField(
            model_name="application",
            name="post_phone",
            field=core.pii.EncryptedField(blank=True, verbose_name="收件人电话"),
        ),
        core.pii.rewrite_operation("workflow", "application", ["form_data", "post_phone", "post_address"]),
    ]
