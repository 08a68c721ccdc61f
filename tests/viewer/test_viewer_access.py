"""The token: required off loopback, checked by receivers and the page; Host checks."""

from __future__ import annotations

import pytest
import requests
from click.testing import CliRunner
from viewer_telemetry import emit_legacy_conversation

from otel_genai.cli import main
from otel_genai.viewer.config import ViewerConfig
from otel_genai.viewer.server import ViewerServer

TOKEN = "correct-horse-battery"


@pytest.fixture
def engine() -> str:
    """The token guards the receivers and the page whatever the store: checked over SQLite."""
    return "sqlite"


def test_non_loopback_bind_without_token_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="token"):
        ViewerServer(ViewerConfig(host="0.0.0.0", data_dir=tmp_path))
    result = CliRunner().invoke(main, ["ui", "--host", "0.0.0.0", "--data-dir", str(tmp_path)], env={})
    assert result.exit_code != 0
    assert "token" in result.output


def test_receivers_and_page_check_the_token(viewer_factory, pipeline_factory) -> None:
    viewer = viewer_factory(token=TOKEN)
    url = viewer.endpoints.otlp_http + "/v1/traces"
    headers = {"content-type": "application/x-protobuf"}
    assert requests.post(url, data=b"", headers=headers).status_code == 401
    wrong = {**headers, "authorization": "Bearer nope-nope-nope"}
    assert requests.post(url, data=b"", headers=wrong).status_code == 401
    right = {**headers, "authorization": f"Bearer {TOKEN}"}
    assert requests.post(url, data=b"", headers=right).status_code == 200

    # The SDK exporter with OTEL_EXPORTER_OTLP_HEADERS-style headers gets through.
    trace_id = emit_legacy_conversation(
        pipeline_factory(viewer.endpoints, "http", {"authorization": f"Bearer {TOKEN}"})
    )

    page = viewer.endpoints.page
    assert requests.get(f"{page}/api/traces").status_code == 401
    assert requests.get(f"{page}/trace/{trace_id}").status_code == 401
    assert requests.get(f"{page}/login?token=wrong").status_code == 401
    session = requests.Session()
    login = session.get(f"{page}/login?token={TOKEN}&next=/trace/{trace_id}", allow_redirects=False)
    assert login.status_code == 303
    assert login.headers["location"] == f"/trace/{trace_id}"
    assert "httponly" in login.headers["set-cookie"].lower()
    assert session.get(f"{page}/api/traces/{trace_id}").status_code == 200
    assert session.get(f"{page}/api/traces").json()["traces"][0]["trace_id"] == trace_id


def test_login_never_redirects_off_site(viewer_factory) -> None:
    viewer = viewer_factory(token=TOKEN)
    for target in ("https://evil.example/", "//evil.example/"):
        response = requests.get(f"{viewer.endpoints.page}/login", params={"token": TOKEN, "next": target},
                                allow_redirects=False)  # fmt: skip
        assert response.headers["location"] == "/"


def test_without_token_only_loopback_host_names_are_served(viewer) -> None:
    page = viewer.endpoints.page
    assert requests.get(f"{page}/api/traces").status_code == 200
    port = page.rsplit(":", 1)[1]
    assert requests.get(f"{page}/api/traces", headers={"host": f"localhost:{port}"}).status_code == 200
    # A DNS-rebinding page would arrive with its own host name.
    assert requests.get(f"{page}/api/traces", headers={"host": f"attacker.example:{port}"}).status_code == 421


def test_page_sends_security_headers(viewer) -> None:
    response = requests.get(viewer.endpoints.page + "/")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
