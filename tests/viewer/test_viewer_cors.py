"""`--cors-origin`: the OTLP/HTTP receiver answers browsers' CORS preflights for the origins allowed."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

APP = "http://localhost:5173"
PREFLIGHT = {"origin": APP, "access-control-request-method": "POST", "access-control-request-headers": "content-type"}


@pytest.fixture
def engine() -> str:
    return "sqlite"  # CORS is the receiver's business, whichever the store


def test_preflight_and_export_from_an_allowed_origin(viewer_factory) -> None:
    viewer = viewer_factory(cors_origins=(APP,), token="a-long-token")
    url = viewer.endpoints.otlp_http + "/v1/traces"
    preflight = requests.options(url, headers=PREFLIGHT, timeout=10)
    # The preflight carries no credentials: it is answered before the token check.
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == APP
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
    export = requests.post(
        url, json={}, headers={"origin": APP, "authorization": "Bearer a-long-token"}, timeout=10
    )
    assert export.status_code == 200
    assert export.headers["access-control-allow-origin"] == APP
    unauthorised = requests.post(url, json={}, headers={"origin": APP}, timeout=10)
    assert unauthorised.status_code == 401


def test_other_origins_get_no_cors_headers(viewer_factory) -> None:
    viewer = viewer_factory(cors_origins=(APP,))
    url = viewer.endpoints.otlp_http + "/v1/traces"
    other = requests.options(url, headers={**PREFLIGHT, "origin": "http://evil.example"}, timeout=10)
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers


def test_without_the_option_there_is_no_cors(viewer) -> None:
    url = viewer.endpoints.otlp_http + "/v1/traces"
    assert requests.options(url, headers=PREFLIGHT, timeout=10).status_code == 405
    export = requests.post(url, json={}, headers={"origin": APP}, timeout=10)
    assert export.status_code == 200
    assert "access-control-allow-origin" not in export.headers


def test_a_malformed_origin_is_refused_in_one_line(tmp_path) -> None:
    command = [sys.executable, "-m", "otel_genai.cli", "ui", "--cors-origin", "localhost:5173/app",
               "--data-dir", str(tmp_path / "data")]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "'localhost:5173/app' is not a CORS origin" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists()
