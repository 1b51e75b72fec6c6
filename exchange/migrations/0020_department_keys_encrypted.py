# Department systems' shared HMAC keys encrypted at rest (existing rows rewritten; reversed, written
# back in clear), as issuer keys' private halves (0019).

from django.db import migrations

import core.pii


class Migration(migrations.Migration):

    dependencies = [
        ('exchange', '0019_issuer_keys_encrypted'),
    ]

    operations = [
        migrations.AlterField(
            model_name='departmentkey',
            name='secret',
            field=core.pii.EncryptedField(verbose_name='密钥(加密存储)'),
        ),
        core.pii.rewrite_operation("exchange", "departmentkey", ["secret"]),
    ]
