"""Test support shared by every service's tests (a pytest plugin: `pytest_plugins = ["ywtb.common.testing.fixtures"]`)."""
