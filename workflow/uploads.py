"""Checks on uploaded material files: the project's one upload check (core.uploads) with the
kinds a hall accepts as scanned or electronic materials (PDF, JPG, PNG), by content."""

from core.uploads import MATERIAL_KINDS, inspect


def inspect_upload(upload, *, field: str, digest: bool = True) -> dict:
    """Return {"kind", "content_type", "extension", "size", "sha256"} or raise Invalid naming the field.
    `digest` False: no SHA-256 ("", the file is stored with `core.uploads.save_streamed`)."""
    return inspect(upload, field=field, kinds=MATERIAL_KINDS, digest=digest)
