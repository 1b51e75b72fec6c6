import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("matters", "0005_situation_questions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="materialrequirement",
            name="blank_form",
            field=models.FileField(blank=True, max_length=200, upload_to="guides/forms/%Y/", verbose_name="空白表格"),
        ),
        migrations.AddField(
            model_name="materialrequirement",
            name="sample",
            field=models.FileField(blank=True, max_length=200, upload_to="guides/samples/%Y/", verbose_name="示例样表"),
        ),
        migrations.AddField(
            model_name="materialrequirement",
            name="trust_level",
            field=models.CharField(
                choices=[("A", "A级:权威部门核发"), ("B", "B级:窗口人员核验"), ("C", "C级:申请人上传"), ("D", "D级:申请人自制并承诺")],
                default="C", help_text="A 权威部门核发;B 窗口人员核验;C 申请人上传;D 申请人自制并承诺。", max_length=1,
                verbose_name="可信等级",
            ),
        ),
        migrations.AddField(
            model_name="matter",
            name="entry_mode",
            field=models.CharField(
                choices=[("comprehensive", "综合窗口受理"), ("department", "部门窗口受理")], default="comprehensive",
                help_text="进驻大厅的事项由综合窗口统一受理,或在部门窗口(如不动产登记、税务)受理。", max_length=16,
                verbose_name="进驻方式",
            ),
        ),
        migrations.CreateModel(
            name="MatterVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField(verbose_name="版本号")),
                ("published_on", models.DateField(verbose_name="发布日期")),
                ("snapshot", models.JSONField(verbose_name="办事指南内容")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("matter", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="versions",
                                             to="matters.matter", verbose_name="事项")),
                ("published_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                                   related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="发布人")),
            ],
            options={
                "verbose_name": "办事指南版本",
                "verbose_name_plural": "办事指南版本",
                "ordering": ["matter", "-number"],
                "constraints": [models.UniqueConstraint(fields=("matter", "number"), name="unique_matter_version_number")],
            },
        ),
    ]
