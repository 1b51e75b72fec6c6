from django.db import migrations


class Migration(migrations.Migration):
    """The reminder settings live on the licence type now (folded in by 0017)."""

    dependencies = [
        ("exchange", "0017_licence_types_from_matters"),
    ]

    operations = [
        migrations.DeleteModel(name="LicenceReminderPolicy"),
    ]
