# Card rules as versioned data, cards on applications as well as sub-cases, contests, the working-day index.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('supervision', '0001_initial'),
        ('workflow', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CardContest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('statement', models.TextField(verbose_name='申诉理由')),
                ('evidence', models.FileField(blank=True, upload_to='card_evidence/%Y/%m/', verbose_name='证明材料')),
                ('evidence_name', models.CharField(blank=True, max_length=255, verbose_name='原文件名')),
                ('evidence_type', models.CharField(blank=True, max_length=64)),
                ('evidence_size', models.PositiveIntegerField(default=0)),
                ('evidence_sha256', models.CharField(blank=True, max_length=64)),
                ('contested_at', models.DateTimeField(auto_now_add=True, verbose_name='申诉时间')),
            ],
            options={
                'verbose_name': '红黄牌申诉',
                'verbose_name_plural': '红黄牌申诉',
            },
        ),
        migrations.CreateModel(
            name='CardLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=64)),
                ('note', models.TextField(blank=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': '红黄牌日志',
                'verbose_name_plural': '红黄牌日志',
                'ordering': ['created_at', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='CardPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(unique=True, verbose_name='版本')),
                ('title', models.CharField(max_length=128, verbose_name='名称')),
                ('note', models.TextField(blank=True, verbose_name='说明')),
                ('status', models.CharField(choices=[('draft', '草稿'), ('published', '已发布')], default='draft', max_length=16, verbose_name='状态')),
                ('effective_from', models.DateField(blank=True, null=True, verbose_name='生效日期')),
                ('refusal_reason_min_chars', models.PositiveSmallIntegerField(default=5, help_text='不予受理理由(去掉首尾空格)少于该字数时亮红牌。', verbose_name='不予受理理由最少字数')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='起草时间')),
                ('published_at', models.DateTimeField(blank=True, null=True, verbose_name='发布时间')),
            ],
            options={
                'verbose_name': '红黄牌规则',
                'verbose_name_plural': '红黄牌规则',
                'ordering': ['-version'],
            },
        ),
        migrations.CreateModel(
            name='CardThreshold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('step', models.CharField(choices=[('decision', '办结期限'), ('pre_review', '网上预审期限'), ('delivery', '颁证送达期限')], max_length=16, verbose_name='环节')),
                ('matter_kind', models.CharField(choices=[('licensing', '行政许可'), ('confirmation', '行政确认'), ('payment', '行政给付'), ('levy', '行政征收'), ('reward', '行政奖励'), ('adjudication', '行政裁决'), ('other_power', '其他行政权力'), ('public_service', '公共服务')], max_length=16, verbose_name='事项类型')),
                ('yellow_percent', models.PositiveSmallIntegerField(default=20, verbose_name='剩余时限比例(%)')),
                ('yellow_days', models.PositiveSmallIntegerField(default=2, verbose_name='剩余工作日')),
            ],
            options={
                'verbose_name': '黄牌阈值',
                'verbose_name_plural': '黄牌阈值',
                'ordering': ['policy', 'step', 'matter_kind'],
            },
        ),
        migrations.CreateModel(
            name='WorkdayIndex',
            fields=[
                ('day', models.DateField(primary_key=True, serialize=False)),
                ('ordinal', models.IntegerField()),
            ],
            options={
                'verbose_name': '工作日序号',
                'verbose_name_plural': '工作日序号',
            },
        ),
        migrations.CreateModel(
            name='WorkdayIndexState',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('signature', models.CharField(max_length=64)),
                ('first_day', models.DateField()),
                ('last_day', models.DateField()),
                ('built_at', models.DateTimeField()),
            ],
        ),
        migrations.AlterModelOptions(
            name='card',
            options={'ordering': ['-opened_at', '-pk'], 'verbose_name': '红黄牌', 'verbose_name_plural': '红黄牌'},
        ),
        migrations.RemoveConstraint(
            model_name='card',
            name='one_open_card_per_level',
        ),
        migrations.AddField(
            model_name='card',
            name='application',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE, related_name='cards', to='workflow.application', verbose_name='办件'),
        ),
        migrations.AddField(
            model_name='card',
            name='department',
            field=models.ForeignKey(db_index=False, db_constraint=False, blank=True, help_text='子件的承办部门;办件环节(预审、受理)的牌由综合窗口负责,为空。', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cards', to='accounts.department', verbose_name='责任部门'),
        ),
        migrations.AddField(
            model_name='card',
            name='due',
            field=models.DateField(blank=True, null=True, verbose_name='期限'),
        ),
        migrations.AddField(
            model_name='card',
            name='limit_days',
            field=models.SmallIntegerField(blank=True, null=True, verbose_name='时限(工作日)'),
        ),
        migrations.AddField(
            model_name='card',
            name='remaining_days',
            field=models.SmallIntegerField(blank=True, help_text='已超期时为负数。', null=True, verbose_name='亮牌时剩余工作日'),
        ),
        migrations.AddField(
            model_name='card',
            name='review',
            field=models.CharField(blank=True, choices=[('', '未申诉'), ('contested', '申诉待裁定'), ('upheld', '督查维持'), ('voided', '督查撤销')], default='', max_length=16, verbose_name='申诉与裁定'),
        ),
        migrations.AddField(
            model_name='card',
            name='review_reason',
            field=models.TextField(blank=True, verbose_name='裁定理由'),
        ),
        migrations.AddField(
            model_name='card',
            name='reviewed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='裁定时间'),
        ),
        migrations.AddField(
            model_name='card',
            name='reviewed_by',
            field=models.ForeignKey(db_index=False, db_constraint=False, blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='裁定人'),
        ),
        migrations.AddField(
            model_name='card',
            name='trigger',
            field=models.CharField(choices=[('decision', '办结期限'), ('pre_review', '网上预审期限'), ('delivery', '颁证送达期限'), ('refusal_reason', '不予受理未充分说明理由'), ('repeated_supplement', '同一材料重复要求补正')], default='decision', max_length=24, verbose_name='事由'),
        ),
        migrations.AddField(
            model_name='card',
            name='warn_days',
            field=models.SmallIntegerField(blank=True, null=True, verbose_name='黄牌线(工作日)'),
        ),
        migrations.AlterField(
            model_name='card',
            name='subcase',
            field=models.ForeignKey(db_index=False, blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='cards', to='workflow.subcase', verbose_name='子件'),
        ),
        migrations.AddField(
            model_name='cardcontest',
            name='card',
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='contest', to='supervision.card', verbose_name='红黄牌'),
        ),
        migrations.AddField(
            model_name='cardcontest',
            name='contested_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='cardlog',
            name='actor',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='cardlog',
            name='card',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='log', to='supervision.card'),
        ),
        migrations.AddField(
            model_name='cardpolicy',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='起草人'),
        ),
        migrations.AddField(
            model_name='cardpolicy',
            name='published_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发布人'),
        ),
        migrations.AddField(
            model_name='card',
            name='policy',
            field=models.ForeignKey(db_index=False, db_constraint=False, blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='cards', to='supervision.cardpolicy', verbose_name='适用规则'),
        ),
        migrations.AddIndex(
            model_name='card',
            index=models.Index(condition=models.Q(('closed_at__isnull', True)), fields=['trigger', 'level'], name='card_open_idx'),
        ),
        migrations.AddIndex(
            model_name='card',
            index=models.Index(fields=['department', 'opened_at'], name='card_department_idx'),
        ),
        migrations.AddIndex(
            model_name='card',
            index=models.Index(condition=models.Q(('review', 'voided')), fields=['subcase', 'trigger', 'level'], name='card_voided_idx'),
        ),
        migrations.AddConstraint(
            model_name='card',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_at__isnull', True), ('subcase__isnull', False)), fields=('subcase', 'trigger', 'level'), name='one_open_subcase_card'),
        ),
        migrations.AddConstraint(
            model_name='card',
            constraint=models.UniqueConstraint(condition=models.Q(('closed_at__isnull', True), ('subcase__isnull', True)), fields=('application', 'trigger', 'level'), name='one_open_application_card'),
        ),
        migrations.AddConstraint(
            model_name='card',
            constraint=models.UniqueConstraint(condition=models.Q(('trigger__in', ['refusal_reason', 'repeated_supplement'])), fields=('application', 'trigger'), name='one_event_card_per_application'),
        ),
        migrations.AddField(
            model_name='cardthreshold',
            name='policy',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='thresholds', to='supervision.cardpolicy'),
        ),
        migrations.AddConstraint(
            model_name='cardpolicy',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('effective_from__isnull', False), _connector='OR'), name='published_policy_has_effective_date'),
        ),
        migrations.AddConstraint(
            model_name='cardthreshold',
            constraint=models.UniqueConstraint(fields=('policy', 'step', 'matter_kind'), name='one_threshold_per_step_and_kind'),
        ),
        migrations.AddConstraint(
            model_name='cardthreshold',
            constraint=models.CheckConstraint(condition=models.Q(('yellow_percent__lte', 100)), name='yellow_percent_at_most_100'),
        ),
    ]
