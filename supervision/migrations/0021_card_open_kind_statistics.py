"""The planner's estimate of a card list's open cards without a sub-case (the windows' own and the
feedback's): with the columns' statistics apart, PostgreSQL multiplied "open" (most cards at
1M) by "no sub-case" (a sixth) and expected 17,000 of 300, so that a clerk's live cards were read
by parallel workers, 8 ms to launch for 1 ms of work (issue 15). Statistics of the two columns
together (an MCV list) carry how often they are NULL at once. PostgreSQL only."""

from django.db import migrations

NAME = "card_open_kind_statistics"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE STATISTICS IF NOT EXISTS {NAME} (mcv) ON closed_at, subcase_id "
                              f"FROM supervision_card")
        schema_editor.execute("ANALYZE supervision_card")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("supervision", "0020_complaint_intermediary")]

    operations = [migrations.RunPython(create, drop)]
