# Situation questions (情形引导), issue 3.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matters', '0004_deferrable_materials'),
    ]

    operations = [
        migrations.CreateModel(
            name='ConditionalMaterial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('note', models.CharField(blank=True, max_length=128, verbose_name='适用情形')),
                ('requirement', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, to='matters.materialrequirement', verbose_name='申请材料')),
            ],
            options={
                'verbose_name': '按情形提交的材料',
                'verbose_name_plural': '按情形提交的材料',
                'ordering': ['requirement'],
            },
        ),
        migrations.CreateModel(
            name='SituationQuestion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=128, verbose_name='问题')),
                ('help_text', models.CharField(blank=True, max_length=255, verbose_name='说明')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('theme', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='matters.theme', verbose_name='主题')),
            ],
            options={
                'verbose_name': '情形问题',
                'verbose_name_plural': '情形问题',
                'ordering': ['theme', 'order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='SituationOption',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=64, verbose_name='选项')),
                ('order', models.PositiveSmallIntegerField(default=0, verbose_name='排序')),
                ('excluded_matters', models.ManyToManyField(blank=True, help_text='选择此项时,这些事项不再办理(须为本主题的事项)。', to='matters.matter', verbose_name='无需办理的事项')),
                ('question', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='matters.situationquestion', verbose_name='问题')),
            ],
            options={
                'verbose_name': '情形选项',
                'verbose_name_plural': '情形选项',
                'ordering': ['question', 'order', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='OptionMaterial',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('effect', models.CharField(choices=[('include', '需要提交'), ('exclude', '无需提交')], default='include', max_length=8, verbose_name='效果')),
                ('requirement', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='matters.materialrequirement', verbose_name='申请材料')),
                ('option', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='matters.situationoption', verbose_name='选项')),
            ],
            options={
                'verbose_name': '选项对应材料',
                'verbose_name_plural': '选项对应材料',
                'ordering': ['option', 'pk'],
                'constraints': [models.UniqueConstraint(fields=('option', 'requirement'), name='unique_option_requirement')],
            },
        ),
    ]
