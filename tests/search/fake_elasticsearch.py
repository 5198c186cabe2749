"""An in-process HTTP server that speaks just enough Elasticsearch for the client: it records every request (method,
path, query string, headers, JSON or NDJSON body) and answers from a queue of canned responses per route."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict
    headers: dict
    raw: bytes

    @property
    def json(self):
        return json.loads(self.raw) if self.raw else None

    @property
    def ndjson(self):
        return [json.loads(line) for line in self.raw.decode().splitlines() if line.strip()]


@dataclass
class FakeElasticsearch:
    requests: list[Request] = field(default_factory=list)
    routes: dict[tuple[str, str], list[tuple[int, dict]]] = field(default_factory=dict)

    def answer(self, method: str, path: str, body: dict | None = None, status: int = 200) -> None:
        self.routes.setdefault((method, path), []).append((status, body or {}))

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                url = urlsplit(self.path)
                fake.requests.append(
                    Request(
                        self.command,
                        url.path,
                        parse_qs(url.query),
                        {k.lower(): v for k, v in self.headers.items()},
                        raw,
                    )
                )
                queue = fake.routes.get((self.command, url.path))
                status, body = (
                    queue.pop(0) if queue else (404, {"error": {"type": "index_not_found_exception"}, "status": 404})
                )
                payload = b"" if self.command == "HEAD" else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("X-Elastic-Product", "Elasticsearch")
                self.send_header("Content-Type", "application/vnd.elasticsearch+json; compatible-with=9")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if payload:
                    self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def last(self, method: str, path: str) -> Request:
        matching = [r for r in self.requests if r.method == method and r.path == path]
        assert matching, f"no {method} {path}; got {[(r.method, r.path) for r in self.requests]}"
        return matching[-1]
