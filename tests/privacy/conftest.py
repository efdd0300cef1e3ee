import pytest


@pytest.fixture(autouse=True)
def working_hours_all_day(settings):
    """Every hour is working time unless a test says otherwise: the tests run at any hour."""
    settings.ACCESS_WORK_START_HOUR, settings.ACCESS_WORK_END_HOUR = 0, 24
    settings.ACCESS_WORK_DAYS = frozenset(range(1, 8))
