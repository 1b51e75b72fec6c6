# Personal data at rest (issue 12 B): ID numbers and phones encrypted, blind indexes filled, in batches.

import core.pii
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_agents_and_membership_requests'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='id_number_index',
            field=core.pii.BlindIndexField(kind='id_number', source='id_number', unique=True),
        ),
        migrations.AddField(
            model_name='user',
            name='phone_index',
            field=core.pii.BlindIndexField(db_index=True, kind='phone', source='phone'),
        ),
        migrations.AlterField(
            model_name='user',
            name='id_number',
            field=core.pii.EncryptedField(blank=True, index_field='id_number_index', index_kind='id_number', null=True, verbose_name='身份证号码'),
        ),
        migrations.AlterField(
            model_name='user',
            name='phone',
            field=core.pii.EncryptedField(blank=True, index_field='phone_index', index_kind='phone', verbose_name='手机号码'),
        ),
        core.pii.rewrite_operation("accounts", "user", ["id_number", "phone"]),
    ]
