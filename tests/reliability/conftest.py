"""Fixtures of the reliability suite; the shared ones (mock server, ``instrument``) are in tests/conftest.py."""
