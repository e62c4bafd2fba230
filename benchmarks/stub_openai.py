"""A fixed-latency OpenAI-compatible chat-completions server on 127.0.0.1, for benchmarks and tests of batches.

It stands in for a model server at the LLM boundary only: every ``POST /v1/chat/completions`` is answered after
``latency`` seconds (each request in its own thread, so concurrency is unlimited) with an empty JSON object
``{}``, which every Clausewise answer schema accepts (all fields optional), and token counts from the request's
size (1 token per 4 characters of the messages; 1 output token). ``GET /v1/models`` lists one model,
``stub-model``, owned by ``stub``.

Faults, for tests of retries and timeouts:

- ``fail_first``: the first N chat requests are answered at once with ``fail_status`` (default 429) and a
  ``Retry-After: retry_after`` header (seconds, an int as its digits, a float as ``%g``; none when ``retry_after``
  is None);
- ``hang``: chat requests are never answered (the connection is held until the server stops);
- ``hang_first``: the first N chat requests (after those of ``fail_first``) are never answered, the later ones
  are;
- ``bad_first``: the first N chat requests (after those of ``fail_first`` and ``hang_first``) get HTTP 200 with
  a body that is not a usable chat completion, of the kind ``bad`` names (:data:`BAD_ANSWERS`): ``no_choices``
  (a completion with ``"choices": []``), ``html`` (a proxy's HTML page), ``not_json`` (a JSON content type over
  a cut body), ``no_message`` (a choice whose message is null), ``drop`` (the headers and half the body, then the
  connection closed), ``trickle`` (a good answer whose body is sent one byte every :data:`TRICKLE_S` seconds,
  about 12 s in all, as a stalled proxy might).

Every chat request is kept in ``requests`` (a :class:`Request` each: its arrival and answer times on
``time.monotonic()``, the status it got, and a SHA-256 of its messages), and ``GET /stats`` returns the counts as
JSON: ``{"requests", "answered", "max_in_flight", "first_received", "last_answered", "by_messages"}``
(``by_messages``: how many requests each distinct messages digest got; times are seconds since the server
started).

Use in-process (``with StubServer(latency=0.5) as stub: stub.base_url``) or as a process::

    python benchmarks/stub_openai.py --latency 2 --port 8765 [--fail-first 2 --retry-after 1] [--hang]

which prints ``listening on http://127.0.0.1:PORT/v1`` and serves until killed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import socket
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MODEL = "stub-model"
BAD_ANSWERS = ("no_choices", "html", "not_json", "no_message", "drop", "trickle")
"""The kinds of unusable HTTP 200 answer the ``bad_first`` fault sends (module docstring)."""
TRICKLE_S = 0.05
"""Seconds between two bytes of a ``trickle`` answer."""


@dataclass
class Request:
    """One chat request: ``received`` / ``answered`` (``time.monotonic()`` seconds; ``answered`` None while held
    or never answered), ``status`` (HTTP status sent, 0 while held, -200 for a ``bad_first`` answer), ``digest`` (SHA-256 hex of the request's
    ``messages`` as JSON with sorted keys)."""

    received: float
    digest: str
    answered: float | None = None
    status: int = 0


def _header(retry_after: float) -> str:
    """The ``Retry-After`` text of ``retry_after`` seconds: an int as its digits (however large), a float in the
    shortest form (``%g``: ``0.5``, ``nan``, ``-1``, ``1e+20``)."""
    return str(retry_after) if isinstance(retry_after, int) else f"{retry_after:g}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args) -> None:  # quiet
        pass

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def _send_bad(self, kind: str, n: int) -> None:
        """An HTTP 200 answer of the unusable ``kind`` (:data:`BAD_ANSWERS`)."""
        completion = {"id": f"stub-{n}", "object": "chat.completion", "created": int(time.time()), "model": MODEL,
                      "choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}
        if kind == "no_choices":
            self._send(200, completion)
        elif kind == "no_message":
            completion["choices"] = [{"index": 0, "message": None, "finish_reason": "stop"}]
            self._send(200, completion)
        elif kind == "trickle":
            completion["choices"] = [{"index": 0, "message": {"role": "assistant", "content": "{}"},
                                      "finish_reason": "stop"}]
            data = json.dumps(completion).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            for i in range(len(data)):
                if self.server.stub._stopped.wait(TRICKLE_S):
                    return
                self.wfile.write(data[i:i + 1])
                self.wfile.flush()
        elif kind in ("html", "not_json", "drop"):
            data = {"html": b"<html><body>502 Bad Gateway</body></html>", "not_json": b'{"id": "stub-',
                    "drop": json.dumps(completion).encode()}[kind]
            self.send_response(200)
            self.send_header("Content-Type", "text/html" if kind == "html" else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if kind == "drop":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
            else:
                self.wfile.write(data)
        else:
            raise ValueError(f"no such bad answer: {kind!r} (one of {', '.join(BAD_ANSWERS)})")

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self.path.rstrip("/").endswith("/stats"):
            self._send(200, self.server.stub.stats())
        else:
            self._send(200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "stub"}]})

    def do_POST(self) -> None:  # noqa: N802
        stub = self.server.stub
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        messages = body.get("messages", [])
        req = Request(received=time.monotonic(),
                      digest=hashlib.sha256(json.dumps(messages, sort_keys=True).encode()).hexdigest())
        with stub.lock:
            stub.requests.append(req)
            n = len(stub.requests)
            stub._in_flight += 1
            stub.max_in_flight = max(stub.max_in_flight, stub._in_flight)
        try:
            if n <= stub.fail_first:
                headers = {} if stub.retry_after is None else {"Retry-After": _header(stub.retry_after)}
                req.status = stub.fail_status
                self._send(stub.fail_status, {"error": {"message": "stub: overloaded", "type": "rate_limit"}},
                           headers)
                req.answered = time.monotonic()
                return
            if stub.hang or n <= stub.fail_first + stub.hang_first:
                stub._stopped.wait()
                return
            if n <= stub.fail_first + stub.hang_first + stub.bad_first:
                req.status = -200  # an HTTP 200 that is not an answer
                self._send_bad(stub.bad, n)
                req.answered = time.monotonic()
                return
            time.sleep(stub.latency)
            prompt_tokens = max(1, len(json.dumps(messages)) // 4)
            req.status = 200
            self._send(200, {"id": f"stub-{n}", "object": "chat.completion", "created": int(time.time()),
                             "model": body.get("model", MODEL),
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": "{}"},
                                          "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": 1,
                                       "total_tokens": prompt_tokens + 1}})
            req.answered = time.monotonic()
        finally:
            with stub.lock:
                stub._in_flight -= 1


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    stub: StubServer


class StubServer:
    """The server above, on ``127.0.0.1:port`` (0: a free port). ``base_url``: ``http://127.0.0.1:PORT/v1``.
    Fault settings (``fail_first``, ``fail_status``, ``retry_after``, ``hang``, ``hang_first``, ``bad_first``,
    ``bad``) may be changed while it runs."""

    def __init__(self, latency: float = 0.5, *, port: int = 0, fail_first: int = 0, fail_status: int = 429,
                 retry_after: float | None = 1.0, hang: bool = False, hang_first: int = 0, bad_first: int = 0,
                 bad: str = "no_choices"):
        if bad not in BAD_ANSWERS:
            raise ValueError(f"no such bad answer: {bad!r} (one of {', '.join(BAD_ANSWERS)})")
        self.latency, self.fail_first, self.fail_status = latency, fail_first, fail_status
        self.retry_after, self.hang, self.hang_first = retry_after, hang, hang_first
        self.bad_first, self.bad = bad_first, bad
        self.requests: list[Request] = []
        self.lock = threading.Lock()
        self.max_in_flight = 0
        self._in_flight = 0
        self._stopped = threading.Event()
        self._started = time.monotonic()
        self._httpd = _Server(("127.0.0.1", port), _Handler)
        self._httpd.stub = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StubServer:
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._httpd.shutdown()
        self._httpd.server_close()

    def __enter__(self) -> StubServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def stats(self) -> dict:
        """Counts of the chat requests so far (see the module docstring)."""
        with self.lock:
            reqs = list(self.requests)
            max_in_flight = self.max_in_flight
        answered = [r for r in reqs if r.answered is not None and r.status == 200]
        by_messages: dict[str, int] = {}
        for r in reqs:
            by_messages[r.digest] = by_messages.get(r.digest, 0) + 1
        return {
            "requests": len(reqs),
            "answered": len(answered),
            "max_in_flight": max_in_flight,
            "first_received": min((r.received for r in reqs), default=self._started) - self._started,
            "last_answered": max((r.answered for r in answered), default=self._started) - self._started,
            "by_messages": by_messages,
        }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=2.0, help="seconds before each answer (default 2)")
    ap.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    ap.add_argument("--fail-first", type=int, default=0, help="answer the first N chat requests with --fail-status")
    ap.add_argument("--fail-status", type=int, default=429, help="HTTP status of those answers (default 429)")
    ap.add_argument("--retry-after", type=float, default=1.0, help="their Retry-After header, seconds (default 1)")
    ap.add_argument("--hang", action="store_true", help="never answer a chat request")
    ap.add_argument("--hang-first", type=int, default=0, help="never answer the first N chat requests")
    ap.add_argument("--bad-first", type=int, default=0, help="answer the first N chat requests with --bad")
    ap.add_argument("--bad", choices=BAD_ANSWERS, default="no_choices", help="the unusable HTTP 200 they get")
    args = ap.parse_args()
    stub = StubServer(args.latency, port=args.port, fail_first=args.fail_first, fail_status=args.fail_status,
                      retry_after=args.retry_after, hang=args.hang, hang_first=args.hang_first,
                      bad_first=args.bad_first, bad=args.bad)
    print(f"listening on {stub.base_url}", flush=True)
    try:
        stub._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        stub.stop()


if __name__ == "__main__":
    main()
