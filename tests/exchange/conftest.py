import pytest

from .refsys_process import RefProcess

DEPARTMENT_CODE = "QXSCJGJ"


@pytest.fixture
def refsys(tmp_path):
    """The reference department system, started as its own process on a free port."""
    process = RefProcess(db=tmp_path / "refsys.sqlite3", department=DEPARTMENT_CODE,
                         keys={"k1": "reference-secret-one"}).start()
    yield process
    process.stop()
