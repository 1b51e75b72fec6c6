"""Issue 17: a licence type says whose licence it is. A 出生医学证明 issued from a form with the
newborn's name and birth date (the demo catalog's baby_name / baby_birth_date) names the newborn."""

from django.db import migrations, models


def birth_certificates(apps, schema_editor):
    Matter = apps.get_model("matters", "Matter")
    FormField = apps.get_model("matters", "FormField")
    for matter in Matter.objects.filter(issues_licence=True, result_name="出生医学证明"):
        keys = set(FormField.objects.filter(matter=matter).values_list("key", flat=True))
        if {"baby_name", "baby_birth_date"} <= keys:
            Matter.objects.filter(pk=matter.pk).update(
                licence_holder="form_person",
                licence_holder_fields={"name": "baby_name", "birth_date": "baby_birth_date"})


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0008_fee_items'),
    ]

    operations = [
        migrations.AddField(
            model_name='matter',
            name='licence_holder',
            field=models.CharField(choices=[('applicant', '申请人(或所代表的企业)'), ('form_person', '表单所填人员(如新生儿),申请人为其监护人')], default='applicant', help_text='证照写谁的名字:申请人本人,或表单中填写的人员(如出生医学证明的新生儿)。', max_length=16, verbose_name='持证人'),
        ),
        migrations.AddField(
            model_name='matter',
            name='licence_holder_fields',
            field=models.JSONField(blank=True, default=dict, help_text='持证人为表单所填人员时,其姓名、出生日期、身份证号码所在的字段键,如 {"name": "baby_name", "birth_date": "baby_birth_date"};身份证号码可无。', verbose_name='持证人取自表单字段'),
        ),
        migrations.RunPython(birth_certificates, migrations.RunPython.noop),
    ]
