from django.apps import AppConfig


class TestAppConfig(AppConfig):
    """Models that exist only to test the platform's plumbing (encrypted fields, scope)."""

    name = "tests.testapp"
    label = "testapp"
