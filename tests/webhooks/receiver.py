"""A webhook receiver on 127.0.0.1 for tests: answers with the statuses it is given, in
order (the last one repeats), and keeps every request."""

import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict
    body: bytes
    at: float


class Receiver:
    def __init__(self, statuses=(200,), hold_first: threading.Event | None = None):
        self.statuses = list(statuses)
        self.requests: list[Received] = []
        self.hold_first = hold_first
        self.first_arrived = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                import time

                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append(Received(dict(self.headers), body, time.monotonic()))
                    number = len(receiver.requests)
                    status = receiver.statuses[min(number, len(receiver.statuses)) - 1]
                if number == 1 and receiver.hold_first is not None:
                    receiver.first_arrived.set()
                    receiver.hold_first.wait(60)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass  # the sender has gone (a killed worker)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.hold_first is not None:
            self.hold_first.set()
        self.server.shutdown()
        self.server.server_close()
