"""Which tables are hash-chained: below both the chain (core.audit) and its anchors
(core.anchors), which each need the list and one of which reads the other."""

from django.apps import apps


def chained_models() -> list:
    """Every concrete `core.models.AppendOnlyModel` (marked `hash_chained`)."""
    return sorted((m for m in apps.get_models() if getattr(m, "hash_chained", False)), key=lambda m: m._meta.label)
