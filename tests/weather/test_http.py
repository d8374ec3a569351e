"""The default network layer against a server on this machine: time-out, size limit, refusals."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from runtwitch.errors import WeatherFetchError
from runtwitch.weather.http import http_get


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/ok"):
            body = b'{"hello": "world"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/big-declared"):
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 100_000)
        elif self.path.startswith("/big-undeclared"):
            self.send_response(200)
            self.end_headers()  # no length: read until the connection closes
            self.wfile.write(b"x" * 100_000)
            self.close_connection = True
        elif self.path.startswith("/slow"):
            time.sleep(1.5)
            self.send_response(200)
            self.end_headers()
        elif self.path.startswith("/trickle"):
            self.send_response(200)
            self.end_headers()
            for _ in range(15):  # a byte every 0.1 s: each read is quick, the whole is not
                self.wfile.write(b"x" * 70_000)
                self.wfile.flush()
                time.sleep(0.1)
            self.close_connection = True
        elif self.path.startswith("/refused"):
            body = b'{"error": true, "reason": "Parameter \'start_date\' is out of allowed range"}'
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()
    srv.server_close()


def test_a_reply_within_the_limits(server: str) -> None:
    assert http_get(f"{server}/ok", 2.0, 1000) == b'{"hello": "world"}'


@pytest.mark.parametrize("path", ["/big-declared", "/big-undeclared"])
def test_a_reply_over_the_size_limit_is_refused(server: str, path: str) -> None:
    with pytest.raises(WeatherFetchError, match="limit of 1000 bytes") as info:
        http_get(f"{server}{path}", 2.0, 1000)
    assert info.value.network is False


def test_a_silent_server_times_out(server: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(WeatherFetchError, match=r"timed out after 0\.3 s") as info:
        http_get(f"{server}/slow", 0.3, 1000)
    assert info.value.network is True and time.monotonic() - t0 < 1.2


def test_a_trickling_server_cannot_stretch_the_time_out(server: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(WeatherFetchError, match="timed out") as info:
        http_get(f"{server}/trickle", 0.4, 10_000_000)
    assert info.value.network is True and time.monotonic() - t0 < 1.2


def test_refusals_and_server_errors(server: str) -> None:
    with pytest.raises(WeatherFetchError, match=r"HTTP 400.*out of allowed range") as info:
        http_get(f"{server}/refused", 2.0, 1000)
    assert info.value.network is False  # this request is wrong; others may still work
    with pytest.raises(WeatherFetchError, match="HTTP 503") as info:
        http_get(f"{server}/down", 2.0, 1000)
    assert info.value.network is True


def test_nobody_listening() -> None:
    with socket.socket() as s:  # a port that was free a moment ago
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WeatherFetchError, match="could not be reached") as info:
        http_get(f"http://127.0.0.1:{port}/", 1.0, 1000)
    assert info.value.network is True
    assert isinstance(info.value, OSError)  # what a user catching network errors catches
