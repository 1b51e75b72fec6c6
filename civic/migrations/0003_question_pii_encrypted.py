# Personal data at rest (issue 12 B's rule for every new table): the anonymous asker's phone is
# encrypted like a complaint's, and the question as asked (never public; the masked copy is
# what is published); rows written before are rewritten in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("civic", "0002_benefit_benefitoffer"),
    ]

    operations = [
        migrations.AlterField(
            model_name="question",
            name="contact_phone",
            field=core.pii.EncryptedField(blank=True, help_text="不公开。", verbose_name="联系电话"),
        ),
        migrations.AlterField(
            model_name="question",
            name="content",
            field=core.pii.EncryptedField(verbose_name="内容"),
        ),
        core.pii.rewrite_operation("civic", "question", ["contact_phone", "content"]),
    ]
