"""What a screen that connects (or reloads) in the middle of a conversation is shown
first: the listening state, the running timers, the last answer and routine step.

Pure logic on published events: `Replay` is attached to the bus and keeps, for each
part of the screen, the latest event that set it; `snapshot` gives them back in
publishing order, so the page applies them as it would have live.
"""

from __future__ import annotations

import threading

from voiceback.events import Published
from voiceback.types import EventKind

STEP_PHASES = ("step", "question")
"""Routine events worth showing again; counts and breathing cues are over by then."""


class Replay:
    """A bus subscriber (quick `put`) that keeps the screen's lasting state."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._slots: dict[str, Published] = {}
        self._timers: dict[object, Published] = {}
        self._last_seq = 0

    def put(self, item: Published) -> None:
        with self._lock:
            self._last_seq = item.seq
            slot = _slot(item)
            if slot:
                self._slots[slot] = item
            elif item.event.kind == EventKind.TIMER:
                self._timer(item)

    def _timer(self, item: Published) -> None:
        data = item.event.data
        if data.get("cancelled") or data.get("acknowledged"):
            self._timers.pop(data.get("id"), None)
        else:
            self._timers[data.get("id")] = item

    def snapshot(self) -> tuple[list[Published], int]:
        """The events to show again, oldest first, and the last seq they account for."""
        with self._lock:
            items = [*self._slots.values(), *self._timers.values()]
            return sorted(items, key=lambda p: p.seq), self._last_seq


def _slot(item: Published) -> str:
    """The part of the screen an event sets for good, or "" if none (or a timer)."""
    kind, data = item.event.kind, item.event.data
    if kind == EventKind.LISTENING or (kind == EventKind.ERROR and not _turn_error(data)):
        return "listening"
    if kind in (EventKind.HEARD, EventKind.UNDERSTOOD):
        return str(kind)
    if kind == EventKind.STEP and data.get("routine") != "breathing":
        return "step" if data.get("phase") in STEP_PHASES else ""
    return ""


def _turn_error(data: dict[str, object]) -> bool:
    """An error in one turn (it has a code other than audio), not a microphone down."""
    return bool(data.get("code")) and data.get("code") != "audio"
