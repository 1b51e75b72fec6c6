from django.db import migrations


class Migration(migrations.Migration):
    """Validity and holder are the licence type's now (exchange 0017 copied them there; reversing
    this restores the columns and exchange 0017's reverse fills them from the types)."""

    dependencies = [
        ("exchange", "0017_licence_types_from_matters"),
        ("matters", "0013_matter_licence_type"),
    ]

    operations = [
        migrations.RemoveField(model_name="matter", name="licence_holder"),
        migrations.RemoveField(model_name="matter", name="licence_holder_fields"),
        migrations.RemoveField(model_name="matter", name="licence_valid_months"),
    ]
