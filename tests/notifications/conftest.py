import pytest

from .smssim_process import SmsSimProcess

ACCOUNT, KEY_ID, SECRET = "QXZWFWZX", "s1", "sandbox-sms-secret"


@pytest.fixture
def smssim(tmp_path, live_server, settings):
    """The sandbox SMS gateway, its own process, posting delivery receipts to this test's live portal."""
    process = SmsSimProcess(db=tmp_path / "smssim.sqlite3", account=ACCOUNT, keys={KEY_ID: SECRET}).start()
    settings.SMS_GATEWAY_URL = process.url
    settings.SMS_ACCOUNT, settings.SMS_KEY_ID, settings.SMS_SECRET = ACCOUNT, KEY_ID, SECRET
    settings.SMS_RECEIPT_BASE_URL = live_server.url
    settings.SMS_TIMEOUT_SECONDS = 1.0
    yield process
    process.stop()
