import pytest

from exchange.models import DepartmentKey, DepartmentSystem
from tests.factories import DepartmentFactory

from .refsys_process import RefProcess

DEPARTMENT_CODE = "QXSCJGJ"
SECRET = "reference-secret-one"


@pytest.fixture
def refsys(tmp_path):
    """The reference department system, started as its own process on a free port."""
    process = RefProcess(db=tmp_path / "refsys.sqlite3", department=DEPARTMENT_CODE,
                         keys={"k1": SECRET}).start()
    yield process
    process.stop()


@pytest.fixture
def portal_refsys(tmp_path, live_server):
    """The reference system, sending its decisions to this test's live portal."""
    process = RefProcess(db=tmp_path / "dept.sqlite3", department=DEPARTMENT_CODE, keys={"k1": SECRET},
                         portal=live_server.url).start()
    yield process
    process.stop()


@pytest.fixture
def own_system(portal_refsys, settings):
    """市场监管局 set to decide in its own system (the reference one), with a fast relay."""
    settings.EXCHANGE_RELAY_BASE_SECONDS = 0.05
    settings.EXCHANGE_RELAY_MAX_BACKOFF_SECONDS = 0.2
    department = DepartmentFactory(code=DEPARTMENT_CODE, name="清远市清新区市场监督管理局")
    system = DepartmentSystem.objects.create(department=department, name="市场监管审批系统", base_url=portal_refsys.url,
                                             active=True)
    DepartmentKey.objects.create(system=system, key_id="k1", secret=SECRET)
    return system
