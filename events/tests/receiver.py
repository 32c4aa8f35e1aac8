"""A real webhook receiver for tests: an HTTP server on 127.0.0.1 in a thread.

It records every request (path, headers, exact body) and answers as the test scripts it:
`receiver.answer(500, 500, 200)` makes the first two requests fail and the rest succeed.
"""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Answer:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: str = "ok"
    hold: bool = False  # wait (up to 60 s) until the test calls release() before answering


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: str


class Receiver:
    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._script: list[Answer] = []
        self._lock = threading.Lock()
        self.arrived = threading.Event()
        self._released = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode()
                answer = receiver._record(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                if answer.hold:
                    receiver._released.wait(60)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body.encode())))
                    self.end_headers()
                    self.wfile.write(answer.body.encode())
                except OSError:
                    pass  # the sender went away (a killed worker)

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _record(self, received: Received) -> Answer:
        with self._lock:
            self.requests.append(received)
            answer = self._script.pop(0) if self._script else Answer()
        self.arrived.set()
        return answer

    def answer(self, *answers: int | Answer) -> None:
        """Script the next answers (a status, or a full Answer); afterwards 200."""
        with self._lock:
            self._script = [a if isinstance(a, Answer) else Answer(status=a) for a in answers]

    def release(self) -> None:
        self._released.set()

    def url(self, path: str = "/hooks") -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}{path}"

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
