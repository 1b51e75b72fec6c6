from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('supervision', '0012_rating_per_decision'),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='ratingtoken',
            constraint=models.UniqueConstraint(condition=models.Q(('subcase__isnull', True)), fields=('application', 'occasion'), name='one_rating_token_per_visit'),
        ),
        migrations.AddConstraint(
            model_name='ratingtoken',
            constraint=models.UniqueConstraint(condition=models.Q(('subcase__isnull', False)), fields=('subcase',), name='one_rating_token_per_decision'),
        ),
        migrations.AddConstraint(
            model_name='ratingtoken',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('department__isnull', False), ('occasion', 'decision'), ('subcase__isnull', False)), models.Q(models.Q(('occasion', 'decision'), _negated=True), ('subcase__isnull', True)), _connector='OR'), name='decision_token_names_subcase_and_department'),
        ),
    ]
