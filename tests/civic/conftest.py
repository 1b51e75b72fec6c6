from tests.supervision.conftest import at, calendar_2026  # noqa: F401  (fixtures shared with supervision)
