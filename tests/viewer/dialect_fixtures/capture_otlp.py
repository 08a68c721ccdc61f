"""Record OTLP/JSON export requests to a file: the fixtures' recorder, not used by the tests.

    python capture_otlp.py PORT OUT.jsonl

Answers every ``POST /v1/{traces,logs,metrics}`` with an empty success and appends one line
to OUT.jsonl: ``{"signal", "content_type", "body"}``, the body as sent (OTLP/JSON as JSON,
anything else as base64 text), so a test can send it again byte for byte.
"""

from __future__ import annotations

import base64
import gzip
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock

_lock = Lock()


def main(port: int, out: str) -> None:
    class Handler(BaseHTTPRequestHandler):
        def _body(self) -> bytes:
            if self.headers.get("transfer-encoding", "").lower() != "chunked":
                return self.rfile.read(int(self.headers.get("content-length", "0")))
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0], 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)

        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            signal = self.path.rsplit("/", 1)[-1]
            content_type = self.headers.get("content-type", "")
            raw = self._body()
            if self.headers.get("content-encoding", "").lower() == "gzip":
                raw = gzip.decompress(raw)  # kept decompressed: the fixture stays readable
            is_json = content_type.startswith("application/json")
            body = json.loads(raw) if is_json else base64.b64encode(raw).decode("ascii")
            with _lock, open(out, "a", encoding="utf-8") as file:
                file.write(json.dumps({"signal": signal, "content_type": content_type, "body": body}) + "\n")
            self.send_response(200)
            self.send_header("content-type", content_type or "application/json")
            self.end_headers()
            self.wfile.write(b"{}" if is_json else b"")

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
