# Personal data at rest (issue 12 B): columns encrypted, existing rows rewritten in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("exchange", "0010_audit_chain"),
    ]

    operations = [
        migrations.AddField(
            model_name="electroniclicence",
            name="holder_id_index",
            field=core.pii.BlindIndexField(db_index=True, kind="id_number", source="holder_id_number"),
        ),
        migrations.AlterField(
            model_name="electroniclicence",
            name="holder_id_number",
            field=core.pii.EncryptedField(index_field="holder_id_index", index_kind="id_number", verbose_name="持证人证件号码"),
        ),
        migrations.AlterField(
            model_name="exchangemessage",
            name="payload",
            field=core.pii.EncryptedJSONField(default=dict),
        ),
        core.pii.rewrite_operation("exchange", "exchangemessage", ["payload"]),
        migrations.AlterField(
            model_name="dataquery",
            name="answer",
            field=core.pii.EncryptedJSONField(blank=True, default=dict, help_text="查到的字段及其值(仅限授权字段),供审批人员查看", verbose_name="获取的数据"),
        ),
        core.pii.rewrite_operation("exchange", "dataquery", ["answer"]),
        core.pii.rewrite_operation("exchange", "electroniclicence", ["holder_id_number"]),
    ]
