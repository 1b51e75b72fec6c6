"""Prepare the Chinese face of every PDF once (core.pdf): `make run` calls it, so the first
notice of a fresh install does not wait for it."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core import pdf


class Command(BaseCommand):
    help = "Cut Noto Serif CJK SC to the characters of Chinese documents, once, under PDF_FONT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="rebuild even when the face exists")

    def handle(self, *args, force=False, **options):
        path = Path(settings.PDF_FONT_DIR) / pdf.FONT_FILE
        if path.exists() and not force:
            self.stdout.write(f"PDF face ready: {path}")
            return
        try:
            pdf.build_font(path)
        except FileNotFoundError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"PDF face prepared: {path} ({path.stat().st_size // 1024} KB)")
