"""Search columns on matters (pinyin initials, full pinyin and the folded search text, see
matters.search), filled for the rows already there; on PostgreSQL also a trigram (pg_trgm) GIN
index on the search text, so that the search's `"search_text" LIKE '%…%'` reads the index
instead of every matter. SQLite gets the columns only.

The index is built with `fastupdate = off`: the catalog is written rarely and read all day, and
a GIN pending list (filled by a bulk import until the next vacuum) makes the planner cost the
index so high that it reads the whole table instead.

A database where the extension cannot be created (no rights) keeps working without the index;
the migration says so and goes on.
"""

from django.db import migrations, models

TRIGRAM_INDEXES = {"matters_matter_search_text_trgm": '("search_text")'}


def fill_keys(apps, schema_editor):
    from matters.search import KEY_FIELDS, fill_search_keys

    Matter = apps.get_model("matters", "Matter")
    batch = []
    for matter in Matter.objects.only("pk", "name", "result_name", "code", "legal_basis").iterator(chunk_size=1000):
        fill_search_keys(matter)
        batch.append(matter)
        if len(batch) >= 1000:
            Matter.objects.bulk_update(batch, sorted(KEY_FIELDS))
            batch = []
    Matter.objects.bulk_update(batch, sorted(KEY_FIELDS))


def add_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.db import DatabaseError, transaction

    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as exc:
        print(f"\n  pg_trgm 扩展无法创建,事项搜索不使用三元组索引:{exc}")
        return
    for name, expression in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{name}" ON "matters_matter" USING gin ({expression} gin_trgm_ops) '
            "WITH (fastupdate = off)"
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("matters", "0002_establishes_entity"),
    ]

    operations = [
        migrations.AddField(
            model_name="matter",
            name="search_initials",
            field=models.CharField(blank=True, editable=False, max_length=300, verbose_name="拼音首字母"),
        ),
        migrations.AddField(
            model_name="matter",
            name="search_pinyin",
            field=models.TextField(blank=True, editable=False, verbose_name="全拼"),
        ),
        migrations.AddField(
            model_name="matter",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="检索文本"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
