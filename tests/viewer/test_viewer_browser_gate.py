"""The browser tests' gate: skip without a browser locally, fail loudly under CI=true."""

from __future__ import annotations

from pathlib import Path

import pytest
import test_viewer_browser as browser_tests


def test_missing_browser_skips_locally_and_fails_in_ci(monkeypatch) -> None:
    monkeypatch.setattr(browser_tests, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        browser_tests._require_browser()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        browser_tests._require_browser()
