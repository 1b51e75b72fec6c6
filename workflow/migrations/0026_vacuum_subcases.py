"""After 0025 rewrote every accepted sub-case (its `accepted_by`), the table holds as many dead
rows as live ones and its visibility map is cleared: until a VACUUM, every index-only read of
it visits the table (the dashboard's count of open sub-cases: 2 → 11 ms at 3M, its page 46 →
87 ms; issue 15). Vacuumed here, outside a transaction, rather than left to autovacuum's
schedule (or to a database where it is off). PostgreSQL only."""

from django.db import migrations


def vacuum(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("VACUUM ANALYZE workflow_subcase")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("workflow", "0025_clerk_subcases")]

    operations = [migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False)]
