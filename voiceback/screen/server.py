"""The kiosk screen's web server: one static page, its events, its buttons.

Standard library only (http.server in a thread), bound to 127.0.0.1 and nothing else:
the screen is for the kiosk's own browser. `GET /` is the page (static/), `GET
/events` the bus's events as server-sent events (JSON, oldest first, after a replay
of the lasting state), `POST /button` {"name": "stop"} a press of one of BUTTONS.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from voiceback.events import EventBus, Published, Subscription
from voiceback.screen.replay import Replay
from voiceback.types import ConfigError, Event, EventKind, VoicebackError

log = logging.getLogger(__name__)

LOCALHOST = "127.0.0.1"
STATIC_DIR = Path(__file__).resolve().parent / "static"
FILES = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/screen.css": ("screen.css", "text/css; charset=utf-8"),
    "/screen.js": ("screen.js", "text/javascript; charset=utf-8"),
}
BUTTONS = {
    "stop": "stop",
    "repeat": "repeat that",
    "breathe": "help me breathe",
    "serious": "is this serious",
}
"""Button name -> the text turn it stands for."""
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
"""The browser itself refuses anything not from this server."""
KEEPALIVE_S = 15.0
MAX_BODY_BYTES = 1024


class ScreenError(VoicebackError):
    """The screen server could not start (its port is taken, ...)."""

    code = "screen"


class ScreenServer:
    """Serves the screen until close(); `on_button` gets the name of each button pressed
    (called in a server thread: it must be thread-safe and quick)."""

    def __init__(
        self,
        bus: EventBus,
        on_button: Callable[[str], None],
        port: int = 8765,
        host: str = LOCALHOST,
    ) -> None:
        if host != LOCALHOST:
            raise ConfigError(f"screen: the server binds to {LOCALHOST} only, not {host!r}")
        self.bus = bus
        self.on_button = on_button
        self.replay = Replay()
        self.closing = threading.Event()
        self._streams: set[Subscription] = set()
        self._lock = threading.Lock()
        self._pages = {path: (_read(name), kind) for path, (name, kind) in FILES.items()}
        try:
            self.httpd = _HTTPServer((LOCALHOST, port), _Handler, self)
        except OSError as err:
            raise ScreenError(
                f"screen: cannot serve on {LOCALHOST}:{port} ({err.strerror or err})"
            ) from err
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOCALHOST}:{self.port}/"

    def start(self) -> ScreenServer:
        self.bus.attach(self.replay)
        self._thread.start()
        log.info("the screen is at %s", self.url)
        return self

    def close(self) -> None:
        self.closing.set()
        self.bus.unsubscribe(self.replay)
        with self._lock:
            streams, self._streams = self._streams, set()
        for sub in streams:
            self.bus.unsubscribe(sub)
        if self._thread.is_alive():
            self.httpd.shutdown()
        self.httpd.server_close()

    def stream(self) -> Subscription:
        """A subscription for one connected screen, closed by close() at the latest."""
        sub = self.bus.subscribe()
        with self._lock:
            self._streams.add(sub)
        if self.closing.is_set():
            sub.close()
        return sub

    def end_stream(self, sub: Subscription) -> None:
        with self._lock:
            self._streams.discard(sub)
        self.bus.unsubscribe(sub)

    def page(self, path: str) -> tuple[bytes, str] | None:
        return self._pages.get(path)

    def press(self, name: str) -> str:
        """A button press: shown as heard, then handed on; the text it stands for."""
        text = BUTTONS[name]
        self.bus.publish(Event(EventKind.HEARD, {"text": text, "button": name}))
        self.on_button(name)
        return text


def _read(name: str) -> bytes:
    try:
        return (STATIC_DIR / name).read_bytes()
    except OSError as err:
        raise ScreenError(f"screen: {STATIC_DIR / name} cannot be read ({err.strerror})") from err


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], handler: type, screen: ScreenServer) -> None:
        self.screen = screen
        super().__init__(address, handler)


def message(item: Published, replay: bool = False) -> bytes:
    """One server-sent event: the published event as JSON."""
    body = {
        "kind": str(item.event.kind),
        "data": item.event.data,
        "seq": item.seq,
        "at_ms": item.at_ms,
        "replay": replay,
    }
    return f"data: {json.dumps(body, default=str)}\n\n".encode()


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    disable_nagle_algorithm = True  # events go out at once, not batched by TCP
    server_version = "voiceback-screen"

    @property
    def screen(self) -> ScreenServer:
        return self.server.screen

    def do_GET(self) -> None:
        if not self._host_ok():
            return
        path = self.path.split("?", 1)[0]
        if path == "/events":
            self._events()
            return
        found = self.screen.page(path)
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, b"not found\n", "text/plain; charset=utf-8")
            return
        self._send(HTTPStatus.OK, *found)

    def do_POST(self) -> None:
        if not self._host_ok():
            return
        if self.path != "/button":
            self._json(HTTPStatus.NOT_FOUND, {"error": f"no such place: {self.path}"})
            return
        name = self._button_name()
        if name is None:
            return
        try:
            text = self.screen.press(name)
        except VoicebackError as err:
            log.warning("the %s button failed: %s", name, err)
            self._json(HTTPStatus.SERVICE_UNAVAILABLE, {"error": str(err)})
            return
        self._json(HTTPStatus.ACCEPTED, {"button": name, "text": text})

    def _button_name(self) -> str | None:
        """The name in a POST /button body; None after answering 4xx."""
        if self.headers.get_content_type() != "application/json":
            self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send application/json"})
            return None
        try:
            length = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            length = -1
        if not 0 < length <= MAX_BODY_BYTES:
            self._json(HTTPStatus.BAD_REQUEST, {"error": "a small JSON body is expected"})
            return None
        try:
            body: Any = json.loads(self.rfile.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError):
            body = None
        name = body.get("name") if isinstance(body, dict) else None
        if name not in BUTTONS:
            names = ", ".join(BUTTONS)
            self._json(HTTPStatus.BAD_REQUEST, {"error": f"name must be one of {names}"})
            return None
        return str(name)

    def _events(self) -> None:
        screen = self.screen
        sub = screen.stream()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            shown, last_seq = screen.replay.snapshot()
            self.wfile.write(b"retry: 1000\n\n" + b"".join(message(p, True) for p in shown))
            while not screen.closing.is_set() and not sub.closed:
                item = sub.get(KEEPALIVE_S)
                if item is None:
                    self.wfile.write(b": keep-alive\n\n")
                elif item.seq > last_seq:
                    self.wfile.write(message(item))
        except (BrokenPipeError, ConnectionResetError):
            log.debug("a screen went away")
        finally:
            screen.end_stream(sub)

    def _host_ok(self) -> bool:
        """Only requests addressed to this server (no other site's page, by DNS rebinding)."""
        host = self.headers.get("Host", "")
        if host in (f"{LOCALHOST}:{self.screen.port}", f"localhost:{self.screen.port}"):
            return True
        self._send(HTTPStatus.FORBIDDEN, b"forbidden\n", "text/plain; charset=utf-8")
        return False

    def _json(self, status: HTTPStatus, body: dict[str, object]) -> None:
        self._send(status, json.dumps(body).encode(), "application/json")

    def _send(self, status: HTTPStatus, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("screen: " + format, *args)
