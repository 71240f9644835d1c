"""Event-to-screen latency of the kiosk screen, in real headless Chromium.

    .venv/bin/python bench/screen_latency.py [--events 200] [--gap-ms 50]

Serves the screen on 127.0.0.1 (a free port), opens it in Debian's chromium through
chromedriver at the Pi touch screen's 800x480, and publishes a mix of the events a
conversation makes (heard, understood, speaking, routine steps, breathing cues,
timers) on the EventBus, one every --gap-ms. Each event carries its publishing time;
the page notes, for each, the time of the animation frame that shows it. Prints
p50 / p95 / max of the difference (both clocks are this machine's wall clock).
"""

from __future__ import annotations

import argparse
import math
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from voiceback.events import EventBus
from voiceback.screen import ScreenServer
from voiceback.types import Event, EventKind

WIDTH, HEIGHT = 800, 480


def events(n: int) -> list[Event]:
    """A conversation-like mix of events, n of them."""
    mix = [
        Event(EventKind.HEARD, {"text": "hey coach should i use ice or heat"}),
        Event(
            EventKind.UNDERSTOOD,
            {
                "intent": "heat_ice",
                "text": "should i use ice or heat",
                "reply": "Ice helps most in the first few days: wrap it in a towel.",
                "red_flag": False,
            },
        ),
        Event(EventKind.SPEAKING, {"text": "A reminder. It's time to take the ice off."}),
        Event(
            EventKind.STEP,
            {
                "routine": "stop_spasm",
                "phase": "step",
                "duration_s": 0.0,
                "text": "Lie on your back with your knees bent.",
                "index": 0,
                "count": 5,
            },
        ),
        Event(
            EventKind.STEP,
            {
                "routine": "breathing",
                "phase": "inhale",
                "duration_s": 4.0,
                "text": "Breathe in.",
                "index": 1,
                "count": 40,
            },
        ),
        Event(
            EventKind.TIMER,
            {"id": 1, "label": "take the ice off", "due_at": time.time() + 900, "left_s": 900.0},
        ),
    ]
    return [mix[i % len(mix)] for i in range(n)]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--gap-ms", type=float, default=50.0)
    args = parser.parse_args()

    bus = EventBus()
    server = ScreenServer(bus, lambda name: None, port=0).start()
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.execute_cdp_cmd(
            "Emulation.setDeviceMetricsOverride",
            {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
        )
        driver.get(server.url)
        while bus.subscribers < 2:  # the replay, and the page's stream
            time.sleep(0.05)
        time.sleep(0.5)
        for event in events(args.events):
            bus.publish(event)
            time.sleep(args.gap_ms / 1000)
        deadline = time.monotonic() + 10
        latencies: list[float] = []
        while len(latencies) < args.events and time.monotonic() < deadline:
            time.sleep(0.1)
            latencies = driver.execute_script("return window.voiceback.latencies")
    finally:
        driver.quit()
        server.close()
    print(
        f"event -> screen, {len(latencies)} of {args.events} events shown, one every "
        f"{args.gap_ms:g} ms: p50 {percentile(latencies, 0.5):.1f} ms, "
        f"p95 {percentile(latencies, 0.95):.1f} ms, max {max(latencies):.1f} ms"
    )


if __name__ == "__main__":
    main()
