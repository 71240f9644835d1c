"""The kiosk screen in real headless Chromium (Debian's chromium + chromedriver, driven
by selenium): the page follows a scripted conversation on the real assistant (trained
NLU, SQLite, the breathing schedule), the circle follows the breathing cues, the
buttons act, nothing comes from anywhere but the assistant, and the server is local
only. Screenshots of the main states go to a folder under pytest's tmp dir."""

from __future__ import annotations

import http.client
import itertools
import json
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import WebDriverWait

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.breathing import BreathingPlan, load_plan
from voiceback.config import REPO_ROOT, Settings, load_settings
from voiceback.dialog import Dialog
from voiceback.events import EventBus, Published
from voiceback.knowledge import Knowledge
from voiceback.nlu import NLU
from voiceback.screen import BUTTONS, ScreenServer, observe, presser, start_screen
from voiceback.screen.server import FILES, STATIC_DIR
from voiceback.store import Store
from voiceback.types import ConfigError, Event, EventKind

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
KIOSK = REPO_ROOT / "deploy" / "kiosk"
WIDTH, HEIGHT = 800, 480
"""The Raspberry Pi 7-inch touch screen."""
INHALE_S, EXHALE_S = 3.0, 4.0


# --- the browser ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("screen-shots")


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Figures to print after the tests, whatever pytest captures."""
    lines: list[str] = []
    yield lines
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for line in lines:
            print(f"\ntest_screen: {line}", end="")
        print()


@pytest.fixture(scope="module")
def latencies(report: list[str], shots: Path) -> Iterator[list[float]]:
    """Event-to-screen times (ms) collected over the browser tests, summed up at the end."""
    collected: list[float] = []
    yield collected
    if collected:
        ordered = sorted(collected)
        p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
        report.append(
            f"event -> screen over {len(ordered)} events: p50 {ordered[len(ordered) // 2]:.1f}"
            f" ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms"
        )
    report.append(f"screenshots in {shots}")


def open_page(driver: WebDriver, url: str) -> None:
    driver.get(url)
    wait(driver, lambda: state(driver) != "offline")


def wait(driver: WebDriver, ok: Callable[[], Any], timeout_s: float = 15.0) -> Any:
    return WebDriverWait(driver, timeout_s, poll_frequency=0.05).until(lambda _: ok())


def text(driver: WebDriver, css: str) -> str:
    return str(driver.find_element(By.CSS_SELECTOR, css).text)


def shown(driver: WebDriver, css: str) -> bool:
    return bool(driver.find_element(By.CSS_SELECTOR, css).is_displayed())


def state(driver: WebDriver) -> str:
    return str(driver.find_element(By.ID, "listening").get_attribute("data-state"))


def style(driver: WebDriver, css: str, prop: str) -> str:
    script = "return getComputedStyle(document.querySelector(arguments[0]))[arguments[1]]"
    return str(driver.execute_script(script, css, prop))


def click(driver: WebDriver, name: str) -> None:
    driver.find_element(By.CSS_SELECTOR, f'#buttons button[data-name="{name}"]').click()


def collect(driver: WebDriver, into: list[float]) -> None:
    into.extend(driver.execute_script("return window.voiceback.latencies.splice(0)"))


# --- the assistant, as `voiceback chat` runs it -----------------------------------------


class Live:
    """The real assistant behind a real screen server. Its loop thread ticks every 50 ms
    (clock, breathing cues, and the text and button turns submitted to it); the test
    watches the bus as the page does."""

    def __init__(self, knowledge: Knowledge, nlu: NLU, db: Path, plan: BreathingPlan) -> None:
        self.store = Store(db)
        self.dialog = Dialog(knowledge, self.store, breathing_plan=plan)
        self.assistant = Assistant(nlu, self.dialog, None, VoiceSettings(150, 0.9), self.store)
        self.bus = EventBus()
        self.watch = self.bus.subscribe(maxsize=100_000)
        observe(self.assistant, self.bus)
        self.server = ScreenServer(self.bus, presser(self.assistant), port=0).start()
        self._stop = threading.Event()
        self._loop = threading.Thread(target=self._run, daemon=True)
        self._loop.start()

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self.assistant.tick()

    def say(self, text: str) -> dict[str, Any]:
        """A text turn, answered on the loop's thread; the UNDERSTOOD event's data."""
        self.assistant.submit_text(text)
        return self.next(EventKind.UNDERSTOOD, lambda d: d["text"] == text).event.data

    def next(
        self,
        kind: EventKind,
        where: Callable[[dict[str, Any]], bool] = lambda d: True,
        timeout_s: float = 30.0,
    ) -> Published:
        """The next event of `kind` (matching `where`) on the bus, skipping others."""
        end = time.monotonic() + timeout_s
        while (left := end - time.monotonic()) > 0:
            item = self.watch.get(left)
            if item is not None and item.event.kind == kind and where(item.event.data):
                return item
        raise AssertionError(f"no {kind} event came in {timeout_s} s")

    def close(self) -> None:
        self._stop.set()
        self._loop.join()
        self.server.close()
        self.store.close()


@pytest.fixture
def plan() -> BreathingPlan:
    """The real breathing plan, at its quickest pace and with a short intro."""
    return replace(
        load_plan(REPO_ROOT / "intents", inhale_s=INHALE_S, exhale_s=EXHALE_S), intro_s=1.5
    )


@pytest.fixture
def live(knowledge: Knowledge, nlu: NLU, tmp_path: Path, plan: BreathingPlan) -> Iterator[Live]:
    running = Live(knowledge, nlu, tmp_path / "voiceback.db", plan)
    yield running
    running.close()


def seconds(clock: str) -> int:
    minutes, secs = clock.split(":")[-2:]
    return int(minutes) * 60 + int(secs)


# --- the scripted conversation --------------------------------------------------------


def test_page_follows_a_scripted_conversation(
    browser: WebDriver, live: Live, shots: Path, latencies: list[float]
) -> None:
    open_page(browser, live.server.url)
    assert state(browser) == "idle" and text(browser, "#listening") == "Not listening"
    live.assistant.on_event(Event(EventKind.LISTENING))  # as the hands-free loop does
    wait(browser, lambda: text(browser, "#listening") == "Listening")
    browser.save_screenshot(str(shots / "1-idle.png"))

    hello = live.say("hello")
    wait(browser, lambda: text(browser, "#answer") == hello["reply"])
    assert text(browser, "#heard") == "Heard: “hello”"

    ice = live.say("should i put ice on it or heat")
    assert ice["intent"] == "heat_ice" and ice["reply"].endswith("in 15 minutes?")
    wait(browser, lambda: text(browser, "#answer") == ice["reply"])
    assert not shown(browser, "#alarm")
    browser.save_screenshot(str(shots / "2-answer.png"))

    yes = live.say("yes please")
    assert yes["reply"] == "Okay. I'll remind you to take the ice off in 15 minutes."
    timer = live.next(EventKind.TIMER).event.data
    assert timer["label"] == "take the ice off"
    wait(browser, lambda: text(browser, "#timers .timer .left"))
    assert text(browser, "#timers .timer .label") == "Take the ice off"
    first = seconds(text(browser, "#timers .timer .left"))
    assert 14 * 60 < first <= 15 * 60
    wait(browser, lambda: seconds(text(browser, "#timers .timer .left")) < first)  # counts down
    browser.save_screenshot(str(shots / "3-timer.png"))

    numb = live.say("my left leg is numb")
    assert numb["red_flag"] is True and numb["intent"] == "red_flag"
    wait(browser, lambda: shown(browser, "#alarm"))
    assert text(browser, "#alarm-text") == numb["reply"]
    assert style(browser, "#alarm", "backgroundColor") == "rgb(196, 0, 0)"
    box = browser.find_element(By.ID, "alarm").rect
    assert box["width"] == WIDTH and box["height"] > HEIGHT / 2  # it fills the screen
    browser.save_screenshot(str(shots / "4-red-flag.png"))
    live.say("thank you")  # the next answer takes the warning down ...
    wait(browser, lambda: not shown(browser, "#alarm"))
    live.say("my left leg is numb")  # ... and so does Dismiss
    wait(browser, lambda: shown(browser, "#alarm"))
    browser.find_element(By.ID, "alarm-ok").click()
    wait(browser, lambda: not shown(browser, "#alarm"))
    assert text(browser, "#timers .timer .label") == "Take the ice off"  # still running
    collect(browser, latencies)


def test_breathing_circle_grows_and_shrinks_with_the_cues(
    browser: WebDriver, live: Live, shots: Path, latencies: list[float]
) -> None:
    open_page(browser, live.server.url)
    click(browser, "breathe")
    start = live.next(EventKind.UNDERSTOOD).event.data
    assert (start["text"], start["intent"]) == (BUTTONS["breathe"], "breathing")
    wait(browser, lambda: text(browser, "#heard") == "You tapped: Breathe")
    browser.execute_script(
        """window.samples = [];
        const circle = document.getElementById("circle");
        window.sampler = setInterval(() => window.samples.push(
            [performance.timeOrigin + performance.now(), circle.getBoundingClientRect().width]
        ), 50);"""
    )
    inhale = live.next(EventKind.STEP, lambda d: d["phase"] == "inhale")
    time.sleep(INHALE_S / 2)
    browser.save_screenshot(str(shots / "5-breathing.png"))
    exhale = live.next(EventKind.STEP, lambda d: d["phase"] == "exhale")
    again = live.next(EventKind.STEP, lambda d: d["phase"] == "inhale")
    assert inhale.event.data["duration_s"] == INHALE_S
    assert exhale.event.data["duration_s"] == EXHALE_S
    samples = browser.execute_script("clearInterval(window.sampler); return window.samples")
    breaths = browser.execute_script("return window.voiceback.breaths")

    def widths(start_ms: float, end_ms: float) -> list[float]:
        return [w for at, w in samples if start_ms + 250 <= at <= end_ms - 100]

    growing = widths(inhale.at_ms, exhale.at_ms)
    shrinking = widths(exhale.at_ms, again.at_ms)
    assert len(growing) >= 10 and len(shrinking) >= 15, (len(growing), len(shrinking))
    assert all(b >= a - 0.5 for a, b in itertools.pairwise(growing)), growing
    assert all(b <= a + 0.5 for a, b in itertools.pairwise(shrinking)), shrinking
    biggest = max(w for _, w in samples)
    assert growing[-1] > 0.9 * biggest and growing[0] < 0.7 * biggest  # full at the turn
    assert shrinking[-1] < 0.45 * biggest and shrinking[0] > 0.9 * biggest
    # each phase's transition began on its own cue, and lasted the cue's duration_s
    assert [(b["phase"], b["duration_s"]) for b in breaths[:3]] == [
        ("inhale", INHALE_S),
        ("exhale", EXHALE_S),
        ("inhale", INHALE_S),
    ]
    for began, cue in zip(breaths, (inhale, exhale, again), strict=False):
        assert 0 <= began["at_ms"] - cue.at_ms < 1000
    assert style(browser, "#circle", "transitionDuration") == f"{INHALE_S:g}s"

    click(browser, "stop")
    stop = live.next(EventKind.UNDERSTOOD).event.data
    assert (stop["text"], stop["intent"]) == ("stop", "stop")
    wait(browser, lambda: text(browser, "#answer") == stop["reply"])
    wait(browser, lambda: not shown(browser, "#breathing"))
    collect(browser, latencies)


def test_serious_and_repeat_buttons_ask_and_ask_again(
    browser: WebDriver, live: Live, latencies: list[float]
) -> None:
    open_page(browser, live.server.url)
    click(browser, "serious")
    asked = live.next(EventKind.UNDERSTOOD).event.data
    assert (asked["text"], asked["intent"]) == ("is this serious", "is_it_serious")
    question = live.next(EventKind.STEP).event.data
    assert question["phase"] == "question" and question["index"] == 0
    wait(browser, lambda: text(browser, "#answer") == question["text"])
    assert text(browser, "#step-of") == f"Question 1 of {question['count']}"
    assert text(browser, "#heard") == "You tapped: Is this serious?"

    live.say("hello")  # something else in between
    wait(browser, lambda: text(browser, "#step-of") == "")
    click(browser, "repeat")
    repeated = live.next(EventKind.UNDERSTOOD).event.data
    assert (repeated["text"], repeated["intent"]) == ("repeat that", "repeat")
    wait(browser, lambda: text(browser, "#answer") == question["text"])
    assert text(browser, "#step-of") == f"Question 1 of {question['count']}"
    collect(browser, latencies)


def test_routine_steps_show_one_at_a_time_with_their_question(
    browser: WebDriver, live: Live, latencies: list[float]
) -> None:
    open_page(browser, live.server.url)
    live.say("my back is seizing up what do i do")
    first = live.next(EventKind.STEP).event.data
    wait(browser, lambda: text(browser, "#answer") == first["text"])
    assert text(browser, "#step-of") == f"Step 1 of {first['count']}"
    for index in (1, 2):
        reply = live.say("next")
        step = live.next(EventKind.STEP).event.data
        assert step["index"] == index
        header = f"Step {index + 1} of {step['count']}"
        wait(browser, lambda h=header: text(browser, "#step-of") == h)
        assert text(browser, "#answer") == step["text"]
    assert reply["reply"].endswith("in 15 minutes?")  # the ice step offers a timer ...
    assert text(browser, "#hold") == "Shall I remind you to take the ice off in 15 minutes?"
    collect(browser, latencies)


def test_a_page_opened_late_shows_what_still_holds(browser: WebDriver, live: Live) -> None:
    live.assistant.on_event(Event(EventKind.LISTENING))
    live.say("remind me to take the heat off in 20 minutes")
    live.say("set a timer for ten minutes")
    assert "cancelled the 10 minute timer" in live.say("cancel the timer")["reply"]
    numb = live.say("my left leg is numb")
    open_page(browser, live.server.url)
    wait(browser, lambda: shown(browser, "#alarm"))
    assert text(browser, "#alarm-text") == numb["reply"]
    assert text(browser, "#listening") == "Listening"
    labels = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "#timers .label")]
    assert labels == ["Take the heat off"]
    assert 19 * 60 < seconds(text(browser, "#timers .left")) <= 20 * 60


# --- what the page costs and where it goes -----------------------------------------------


def test_page_is_small_and_asks_only_the_assistant(
    browser: WebDriver, live: Live, report: list[str]
) -> None:
    browser.get("about:blank")
    browser.get_log("performance")  # drop what earlier pages did
    open_page(browser, live.server.url)
    click(browser, "repeat")
    live.next(EventKind.UNDERSTOOD)
    wait(browser, lambda: "Repeat" in text(browser, "#heard"))
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    expected = {live.server.url + path.lstrip("/") for path in ["/", *FILES, "/events", "/button"]}
    assert set(urls) == expected, urls
    resources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert resources and all(r.startswith(live.server.url) for r in resources), resources

    total = 0
    for path in FILES:
        status, headers, body = request(live.server.port, "GET", path)
        assert status == 200
        assert "default-src 'none'" in headers["Content-Security-Policy"]
        assert not re.search(rb"(?:https?:)?//(?!127\.0\.0\.1)[a-z0-9.-]+", body, re.I), path
        total += len(body)
    assert total == sum(f.stat().st_size for f in STATIC_DIR.iterdir())
    assert total < 200_000, f"the page is {total} bytes"
    report.append(f"the page: {total} bytes ({', '.join(FILES)})")
    assert not [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]


def request(
    port: int, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


def test_night_colours_by_the_hour_or_the_system(
    browser: WebDriver, live: Live, shots: Path
) -> None:
    def at_hour(hour: int) -> str:
        """A fixed-offset time zone in which it is now `hour` o'clock."""
        utc = datetime.now(UTC).hour
        offset = next(o for o in range(-12, 15) if (utc + o) % 24 == hour)
        return f"Etc/GMT{'-' if offset >= 0 else '+'}{abs(offset)}"  # POSIX signs are inverted

    def background(zone: str, scheme: str) -> str:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": zone})
        features = [{"name": "prefers-color-scheme", "value": scheme}]
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": features})
        open_page(browser, live.server.url)
        return style(browser, "body", "backgroundColor")

    try:
        assert background(at_hour(11), "light") == "rgb(255, 255, 255)"
        assert background(at_hour(23), "light") == "rgb(0, 0, 0)"
        assert background(at_hour(3), "light") == "rgb(0, 0, 0)"
        live.say("should i put ice on it or heat")
        wait(browser, lambda: text(browser, "#answer").endswith("in 15 minutes?"))
        browser.save_screenshot(str(shots / "6-night.png"))
        assert background(at_hour(11), "dark") == "rgb(0, 0, 0)"
        assert style(browser, "#answer", "color") == "rgb(242, 242, 242)"
    finally:
        browser.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": ""})
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


# --- the server -------------------------------------------------------------------------


def test_server_binds_127_0_0_1_only() -> None:
    for host in ("0.0.0.0", "", "localhost", "::", "192.0.2.2"):
        with pytest.raises(ConfigError, match=r"127\.0\.0\.1 only"):
            ScreenServer(EventBus(), lambda name: None, port=0, host=host)
    server = ScreenServer(EventBus(), lambda name: None, port=0).start()
    try:
        assert server.httpd.socket.getsockname()[0] == "127.0.0.1"
        assert request(server.port, "GET", "/")[0] == 200
        with pytest.raises(ConnectionRefusedError):  # would answer if bound to 0.0.0.0
            socket.create_connection(("127.0.0.2", server.port), timeout=5).close()
    finally:
        server.close()


def test_button_requests_are_checked() -> None:
    pressed: list[str] = []
    server = ScreenServer(EventBus(), pressed.append, port=0).start()
    port = server.port
    json_type = {"Content-Type": "application/json"}
    try:
        assert request(port, "POST", "/button", b'{"name": "dance"}', json_type)[0] == 400
        assert request(port, "POST", "/button", b"not json", json_type)[0] == 400
        plain = {"Content-Type": "text/plain"}
        assert request(port, "POST", "/button", b'{"name": "stop"}', plain)[0] == 415
        other_site = {**json_type, "Host": "attacker.example"}
        assert request(port, "POST", "/button", b'{"name": "stop"}', other_site)[0] == 403
        assert request(port, "GET", "/", headers={"Host": "attacker.example"})[0] == 403
        assert request(port, "GET", "/../config.py")[0] == 404
        assert pressed == []
        status, _, body = request(port, "POST", "/button", b'{"name": "breathe"}', json_type)
        assert status == 202 and json.loads(body) == {
            "button": "breathe",
            "text": "help me breathe",
        }
        assert pressed == ["breathe"]
    finally:
        server.close()


def test_events_stream_as_json_with_their_publish_time() -> None:
    bus = EventBus()
    server = ScreenServer(bus, lambda name: None, port=0).start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/events")
        answer = conn.getresponse()
        assert answer.getheader("Content-Type") == "text/event-stream"
        assert answer.fp.readline() == b"retry: 1000\n"  # then the (empty) replay
        assert answer.fp.readline() == b"\n"
        sent = bus.publish(Event(EventKind.HEARD, {"text": "hey coach"}))
        line = answer.fp.readline()
        assert answer.fp.readline() == b"\n"
        data = json.loads(line[6:])
        assert data == {
            "kind": "heard",
            "data": {"text": "hey coach"},
            "seq": sent.seq,
            "at_ms": sent.at_ms,
            "replay": False,
        }
        conn.close()
    finally:
        server.close()
    assert bus.subscribers == 0


# --- the bus ------------------------------------------------------------------------------


def test_slow_subscriber_loses_its_oldest_events_and_never_blocks() -> None:
    bus = EventBus()
    slow = bus.subscribe(maxsize=4)
    fast = bus.subscribe()
    got: list[int] = []

    def read() -> None:
        while len(got) < 200 and (item := fast.get(5.0)) is not None:
            got.append(item.seq)

    reader = threading.Thread(target=read)
    reader.start()
    publishers = [
        threading.Thread(
            target=lambda: [bus.publish(Event(EventKind.SPEAKING, {"n": i})) for i in range(50)]
        )
        for _ in range(4)
    ]
    for thread in publishers:
        thread.start()
    for thread in publishers:
        thread.join()
    reader.join()
    assert got == list(range(1, 201))  # all, in publishing order, each once
    kept = [slow.get(0) for _ in range(5)]
    assert [k.seq for k in kept if k] == [197, 198, 199, 200] and kept[-1] is None
    assert slow.dropped == 196


# --- the commands -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_start_screen_follows_the_config(knowledge: Knowledge, nlu: NLU, tmp_path: Path) -> None:
    seen: list[Event] = []
    assistant = Assistant(
        nlu, Dialog(knowledge), None, VoiceSettings(150, 0.9), on_event=seen.append
    )
    assert start_screen(Settings(screen_enabled=False), assistant) is None
    port = free_port()
    screen = start_screen(Settings(screen_port=port), assistant)
    assert screen is not None
    try:
        assert screen.url == f"http://127.0.0.1:{port}/"
        assert start_screen(Settings(screen_port=port), assistant) is None  # taken: no screen
        watch = screen.bus.subscribe()
        assistant.turn("hello")
        published = watch.get(5.0)
        assert published is not None and published.event is seen[-1]  # both observers
    finally:
        screen.close()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[screen]\nport = 80\n", "screen.port must be 1024..65535, got 80"),
        ("[screen]\nport = 70000\n", "screen.port must be 1024..65535"),
        ("[screen]\nport = '8765'\n", "screen.port must be a whole number"),
        ("[screen]\nenabled = 'yes'\n", "screen.enabled must be true or false"),
        ("[screen]\nhost = '0.0.0.0'\n", "unknown key screen.host"),
    ],
)
def test_screen_config_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(path)


def test_voiceback_chat_serves_the_screen_and_answers_its_buttons(
    model_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        f'[screen]\nport = {port}\n[paths]\ndata = "{tmp_path / "data"}"\n'
        f'models = "{model_dir.parent}"\n'
    )
    env = {**os.environ, "VOICEBACK_CONFIG": str(config), "HOME": str(tmp_path)}
    chat = subprocess.Popen(
        [sys.executable, "-m", "voiceback.cli", "chat", "--no-speak"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    watchdog = threading.Timer(120, chat.kill)
    watchdog.start()
    try:
        assert chat.stdout is not None and chat.stdin is not None
        deadline = time.monotonic() + 60
        while True:
            try:
                status, _, page = request(port, "GET", "/")
                break
            except ConnectionRefusedError:
                assert time.monotonic() < deadline and chat.poll() is None, "no screen came up"
                time.sleep(0.2)
        assert status == 200 and b"Is this serious?" in page
        json_type = {"Content-Type": "application/json"}
        assert request(port, "POST", "/button", b'{"name": "breathe"}', json_type)[0] == 202
        intro = load_plan(REPO_ROOT / "intents").intro
        for line in chat.stdout:
            if line.startswith("voiceback> ") and intro in line:
                break
        chat.stdin.close()
        assert chat.wait(30) == 0
    finally:
        watchdog.cancel()
        if chat.poll() is None:
            chat.kill()
            chat.wait()
    with pytest.raises(ConnectionRefusedError):
        request(port, "GET", "/")


# --- the kiosk ------------------------------------------------------------------------


def test_kiosk_autostart_opens_the_configured_page() -> None:
    script = KIOSK / "voiceback-screen.sh"
    desktop = (KIOSK / "voiceback-screen.desktop").read_text()
    assert f"Exec=/opt/voiceback/deploy/kiosk/{script.name} {Settings().screen_port}\n" in desktop
    assert os.access(script, os.X_OK)
    body = script.read_text()
    assert f"${{VOICEBACK_SCREEN_PORT:-{Settings().screen_port}}}" in body
    for flag in ("--kiosk", '--app="$url"', "--disable-translate", "--disable-pinch"):
        assert flag in body
    assert 'url="http://127.0.0.1:$port/"' in body
    lint = subprocess.run(
        ["shellcheck", "--severity=style", str(script)], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout
    bad = subprocess.run(["bash", str(script), "80a"], capture_output=True, text=True)
    assert bad.returncode == 2 and "must be a number" in bad.stderr
