"""Issue 17: a rating of a decision goes to the department that decided it, one link per decided
sub-case. A link of an online case of one department (occasion "online") becomes the link of that
department's decision; an unused whole-case link of several departments (it named the hall) is
dropped (the decisions are offered instead); a used one stays as it was rated. Constraints in 0013,
after the rows are moved (PostgreSQL refuses ALTER TABLE with pending trigger events)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def rate_decisions(apps, schema_editor):
    RatingToken = apps.get_model("supervision", "RatingToken")
    Rating = apps.get_model("supervision", "Rating")
    SubCase = apps.get_model("workflow", "SubCase")
    for token in list(RatingToken.objects.filter(occasion="online", department__isnull=False)):
        subcase = (SubCase.objects.filter(application_id=token.application_id, department_id=token.department_id,
                                          state__in=("approved", "denied"))
                   .order_by("decided_at", "pk").first())
        if subcase is None or RatingToken.objects.filter(subcase=subcase).exists():
            continue
        RatingToken.objects.filter(pk=token.pk).update(occasion="decision", subcase=subcase)
        Rating.objects.filter(token_id=token.pk).update(occasion="decision")
    RatingToken.objects.filter(occasion="online", department__isnull=True, used_at__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_agents_and_membership_requests'),
        ('supervision', '0011_report_job_lease'),
        ('workflow', '0015_first_received_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='ratingtoken',
            name='one_rating_token_per_occasion',
        ),
        migrations.AddField(
            model_name='ratingtoken',
            name='subcase',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='rating_tokens', to='workflow.subcase', verbose_name='被评价的决定(子件)'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='occasion',
            field=models.CharField(choices=[('window_accept', '窗口受理'), ('window_deliver', '窗口出件'), ('decision', '审批决定'), ('online', '网上办件')], max_length=16, verbose_name='评价环节'),
        ),
        migrations.AlterField(
            model_name='ratingtoken',
            name='occasion',
            field=models.CharField(choices=[('window_accept', '窗口受理'), ('window_deliver', '窗口出件'), ('decision', '审批决定'), ('online', '网上办件')], max_length=16, verbose_name='评价环节'),
        ),
        migrations.RunPython(rate_decisions, migrations.RunPython.noop),
    ]
