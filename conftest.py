"""Shared pytest fixtures; test settings live in sarv/test_settings.py."""

pytest_plugins = ["sarv.testing.fixtures"]
