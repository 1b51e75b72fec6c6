"""Personal data at rest (issue 12 B): AES-256-GCM encrypted columns and keyed blind indexes.

- `EncryptedField` stores `pii1:<key id>:<base64(nonce ‖ ciphertext ‖ tag)>`; the model attribute
  is the plain value (decrypted on read, encrypted on every write with the writing key). The key
  id in the text lets several keys be read while one writes (rotation: add a key, make it the
  writer, run `manage.py reencrypt_pii`, then drop the old key).
- `BlindIndexField(source=...)` holds HMAC-SHA256(index key, kind ‖ normalised value), filled on
  save (and in bulk_create). An exact look-up on the encrypted field — `filter(id_number=x)`,
  `filter(principal__id_number=x)`, `id_number__in=[…]`, `id_number__iexact=x` — is rewritten to
  the index column, so callers keep their ORM code; any other look-up (contains, ordering by the
  plain value) is refused rather than silently wrong.
- `EncryptedJSONField` encrypts a whole JSON document (application form data): no look-up at all.

Keys come from settings (`PII_KEYS`, `PII_WRITE_KEY`, `PII_INDEX_KEY`; portal/settings.py reads
them from the environment and refuses to start without them when DEBUG is off).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection as default_connection
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import IsNull, Lookup

PREFIX = "pii1:"
AAD = b"tongban-pii"


@lru_cache(maxsize=1)
def _keys() -> tuple[dict[str, AESGCM], str, bytes]:
    keys = getattr(settings, "PII_KEYS", None) or {}
    writer = getattr(settings, "PII_WRITE_KEY", "")
    index = getattr(settings, "PII_INDEX_KEY", b"")
    if not keys or writer not in keys or not index:
        raise ImproperlyConfigured("PII_KEYS / PII_WRITE_KEY / PII_INDEX_KEY are not configured.")
    return {kid: AESGCM(key) for kid, key in keys.items()}, writer, index


def reset_keys():
    """Forget the cached keys (tests that change the settings, the rotation command)."""
    _keys.cache_clear()


def is_encrypted(text) -> bool:
    return isinstance(text, str) and text.startswith(PREFIX)


def encrypt(plain: str) -> str:
    ciphers, writer, _ = _keys()
    nonce = os.urandom(12)
    sealed = ciphers[writer].encrypt(nonce, plain.encode("utf-8"), AAD)
    return f"{PREFIX}{writer}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(text: str) -> str:
    """The plain value; a value not (yet) encrypted is returned as it is (rows a migration has
    not rewritten yet — the dump test makes sure none is left)."""
    if not is_encrypted(text):
        return text
    ciphers, _, _ = _keys()
    kid, _, body = text[len(PREFIX):].partition(":")
    if kid not in ciphers:
        raise ImproperlyConfigured(f"PII key {kid!r} is not in PII_KEYS: it cannot be read.")
    raw = base64.b64decode(body)
    return ciphers[kid].decrypt(raw[:12], raw[12:], AAD).decode("utf-8")


def key_id(text: str) -> str:
    return text[len(PREFIX):].partition(":")[0] if is_encrypted(text) else ""


def normalise(value: str) -> str:
    return str(value).strip().upper()


def blind_index(value, kind: str) -> str | None:
    """HMAC-SHA256 of the normalised value under the index key; None for an empty value."""
    if value is None or normalise(value) == "":
        return None
    _, _, key = _keys()
    return hmac.new(key, f"{kind}\0{normalise(value)}".encode(), hashlib.sha256).hexdigest()


class _IndexedLookup(Lookup):
    """exact / iexact / in on an encrypted field, answered by its blind index column."""

    prepare_rhs = False
    can_use_none_as_rhs = False

    def _index_col(self, compiler):
        field = self.lhs.output_field
        if not getattr(field, "index_field", None) or not isinstance(self.lhs, Col):
            raise FieldError(f"{field.name} is encrypted and has no blind index: it cannot be searched.")
        index = field.model._meta.get_field(field.index_field)
        return compiler.compile(Col(self.lhs.alias, index))

    def _digests(self, values):
        kind = self.lhs.output_field.index_kind
        return [blind_index(v, kind) for v in values]

    def as_sql(self, compiler, connection):
        if hasattr(self.rhs, "resolve_expression"):
            raise FieldError("An encrypted field is compared with a value only.")
        values = list(self.rhs) if self.lookup_name == "in" else [self.rhs]
        empty = [v for v in values if v is None or normalise(v) == ""]
        filled = [d for d in self._digests([v for v in values if v not in empty]) if d]
        parts, params = [], []
        if filled:
            sql, col_params = self._index_col(compiler)
            parts.append(f"{sql} IN ({', '.join(['%s'] * len(filled))})")
            params += [*col_params, *filled]
        if empty:  # an empty value is stored as it is ('' never gets a digest)
            sql, col_params = compiler.compile(self.lhs)
            parts.append(f"{sql} = %s")
            params += [*col_params, ""]
        if not parts:
            return "1 = 0", []
        return "(" + " OR ".join(parts) + ")", params


class IndexedExact(_IndexedLookup):
    lookup_name = "exact"


class IndexedIExact(_IndexedLookup):
    lookup_name = "iexact"


class IndexedIn(_IndexedLookup):
    lookup_name = "in"


class EncryptedField(models.TextField):
    """A text column holding AES-GCM ciphertext; `index_field` names its BlindIndexField (if
    any) and `index_kind` the kind of value (values of one kind match across tables)."""

    def __init__(self, *args, index_field: str = "", index_kind: str = "", **kwargs):
        self.index_field = index_field
        self.index_kind = index_kind
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.index_field:
            kwargs["index_field"] = self.index_field
        if self.index_kind:
            kwargs["index_kind"] = self.index_kind
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value) if value else value

    def to_python(self, value):
        return decrypt(value) if isinstance(value, str) and value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))

    def get_lookup(self, lookup_name):
        return {"exact": IndexedExact, "iexact": IndexedIExact, "in": IndexedIn, "isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None


class BlindIndexField(models.CharField):
    """HMAC-SHA256 hex of another field's plain value, computed on every save."""

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"], kwargs["kind"] = self.source, self.kind
        for key, default in (("max_length", 64), ("editable", False), ("null", True), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        digest = blind_index(getattr(model_instance, self.source), self.kind)
        setattr(model_instance, self.attname, digest)
        return digest


class EncryptedJSONField(models.TextField):
    """A JSON document stored as one AES-GCM ciphertext (form data with ID numbers and phones in
    it). Not searchable; reads give back the dict/list."""

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return json.loads(decrypt(value)) if value else {}

    def to_python(self, value):
        if isinstance(value, str):
            return json.loads(decrypt(value)) if value else {}
        return value

    def get_prep_value(self, value):
        if value is None:
            return None
        return encrypt(json.dumps(value, ensure_ascii=False, sort_keys=True))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj), ensure_ascii=False)

    def get_lookup(self, lookup_name):
        return {"isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None

    def formfield(self, **kwargs):
        from django.forms import JSONField as JSONFormField

        return super().formfield(**{"form_class": JSONFormField, **kwargs})


def rewrite(model, fields: list[str], *, batch: int = 500, plain: bool = False, using: str = "default") -> int:
    """Re-write `fields` of every row of `model` in batches of `batch`: encrypted under the
    writing key with fresh blind indexes (plain=True: written back as plain text, the reverse of
    the migration). Reads decrypt with any known key (or pass plain text through), so the same
    call encrypts old plain rows and rotates keys. Returns the number of rows."""
    from django.db import connections, transaction

    conn = connections[using] if using else default_connection
    meta = model._meta
    table = conn.ops.quote_name(meta.db_table)
    pk = meta.pk
    index_fields = [f for f in meta.concrete_fields if isinstance(f, BlindIndexField) and f.source in fields]
    done, last = 0, None
    while True:
        qs = model._base_manager.using(using).order_by(pk.attname)
        if last is not None:
            qs = qs.filter(**{f"{pk.attname}__gt": last})
        rows = list(qs.values_list(pk.attname, *fields)[:batch])
        if not rows:
            return done
        sets = [f"{conn.ops.quote_name(meta.get_field(f).column)} = %s" for f in fields]
        sets += [f"{conn.ops.quote_name(f.column)} = %s" for f in index_fields]
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {conn.ops.quote_name(pk.column)} = %s"
        params = []
        for row in rows:
            values = dict(zip(fields, row[1:], strict=True))
            out = []
            for name in fields:
                value = values[name]
                field = meta.get_field(name)
                if plain and isinstance(field, EncryptedJSONField):
                    out.append(json.dumps(value, ensure_ascii=False) if value is not None else None)
                elif plain:
                    out.append(value)
                else:
                    out.append(field.get_prep_value(value))
            out += [None if plain else blind_index(values[f.source], f.kind) for f in index_fields]
            params.append([*out, row[0]])
        with transaction.atomic(using=using), _append_only_lifted(model, conn), conn.cursor() as cursor:
            cursor.executemany(sql, params)
        done += len(rows)
        last = rows[-1][0]


def _append_only_lifted(model, conn):
    """A log table refuses UPDATE in PostgreSQL (core.models.AppendOnlyModel's trigger). Re-writing
    its ciphertext changes no value the hash chain covers (core.audit hashes the plain values), so
    the rewrite alone may pass the trigger."""
    from django.apps import apps as current_apps

    try:
        current = current_apps.get_model(model._meta.app_label, model._meta.object_name)
    except LookupError:
        return contextlib.nullcontext()
    names = {t.name for t in getattr(current._meta, "triggers", [])}
    if conn.vendor != "postgresql" or "append_only" not in names:
        return contextlib.nullcontext()
    import pgtrigger

    return pgtrigger.ignore(f"{current._meta.label}:append_only")


def rewrite_operation(app_label: str, model_name: str, fields: list[str], *, batch: int = 500):
    """The data migration that encrypts `fields` of existing rows (and fills their blind indexes)
    in batches; reversed, it writes the plain values back."""
    from django.db import migrations

    def forward(apps, schema_editor):
        rewrite(apps.get_model(app_label, model_name), fields, batch=batch, using=schema_editor.connection.alias)

    def backward(apps, schema_editor):
        rewrite(apps.get_model(app_label, model_name), fields, batch=batch, plain=True,
                using=schema_editor.connection.alias)

    return migrations.RunPython(forward, backward, elidable=False)
