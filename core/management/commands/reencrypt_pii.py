"""Re-write every encrypted column under the writing key, in batches (key rotation, issue 12 B).

Rotation: put the new key first in PII_KEYS (it writes; the old ones still read), restart, run
this command, then drop the old key from PII_KEYS. Also fills blind indexes anew."""

from django.apps import apps
from django.core.management.base import BaseCommand

from core.pii import EncryptedField, EncryptedJSONField, is_encrypted, key_id, rewrite


class Command(BaseCommand):
    help = "Re-encrypt personal data under the writing PII key, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=500)

    def handle(self, *args, batch, **options):
        for model in apps.get_models():
            fields = [f.name for f in model._meta.concrete_fields if isinstance(f, (EncryptedField, EncryptedJSONField))]
            if fields and not model._meta.proxy:
                count = rewrite(model, fields, batch=batch)
                self.stdout.write(f"{model._meta.label}: {count} rows ({', '.join(fields)})")


def stored_key_ids(model, field) -> set[str]:
    """The key ids the rows of `model.field` are stored under ('' for plain text)."""
    from django.db import connection

    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(model._meta.db_table)}")
        return {key_id(v) if is_encrypted(v) else "" for (v,) in cursor.fetchall() if v}
