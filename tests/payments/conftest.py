import pytest

from .paysim_process import PaySimProcess

MERCHANT, KEY_ID, SECRET = "QXZWFWZX", "p1", "sandbox-merchant-secret"


@pytest.fixture
def paysim(tmp_path, live_server, settings):
    """The sandbox provider, its own process, sending notifications to this test's live portal."""
    process = PaySimProcess(db=tmp_path / "paysim.sqlite3", merchant=MERCHANT, keys={KEY_ID: SECRET}).start()
    settings.PAYMENT_PROVIDER_URL = process.url
    settings.PAYMENT_MERCHANT, settings.PAYMENT_KEY_ID, settings.PAYMENT_SECRET = MERCHANT, KEY_ID, SECRET
    settings.PAYMENT_NOTIFY_BASE_URL = live_server.url
    yield process
    process.stop()
