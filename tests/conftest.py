import pytest


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded materials and notices go to a throw-away folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
