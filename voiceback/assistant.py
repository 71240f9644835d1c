"""Wires the stages: text -> Understanding -> Reply -> speech, one turn at a time.

No engine is imported here; stages are passed in. Every VoicebackError is caught
once per turn, turned into a short helpful reply, and reported as an ERROR event,
so one bad turn never ends the conversation.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voiceback.dialog import DISCLAIMER, Dialog, Spoken
from voiceback.store import Store
from voiceback.types import (
    Event,
    EventKind,
    InputError,
    Reply,
    StoreError,
    Understanding,
    VoicebackError,
)

log = logging.getLogger(__name__)

RATE_STEP_WPM = 20
VOLUME_STEP = 0.15
RATE_LIMITS = (90, 240)


class Understander(Protocol):
    def understand(self, text: str) -> Understanding: ...


class Speaker(Protocol):
    def say(self, text: str) -> None: ...
    def stop(self) -> None: ...
    def configure(self, *, rate_wpm: int, volume: float) -> None: ...


@dataclass(slots=True)
class VoiceSettings:
    rate_wpm: int
    volume: float

    def adjust(self, action: str) -> bool:
        """Apply slower/faster/louder/quieter; False when already at the limit."""
        rate, volume = self.rate_wpm, self.volume
        if action == "slower":
            rate = max(RATE_LIMITS[0], rate - RATE_STEP_WPM)
        elif action == "faster":
            rate = min(RATE_LIMITS[1], rate + RATE_STEP_WPM)
        elif action == "louder":
            volume = min(1.0, round(volume + VOLUME_STEP, 2))
        elif action == "quieter":
            volume = max(0.2, round(volume - VOLUME_STEP, 2))
        changed = (rate, volume) != (self.rate_wpm, self.volume)
        self.rate_wpm, self.volume = rate, volume
        return changed


@dataclass(slots=True)
class Assistant:
    nlu: Understander
    dialog: Dialog
    speaker: Speaker | None
    voice: VoiceSettings
    store: Store | None = None
    on_event: Callable[[Event], None] = lambda event: None
    chime: Callable[[], None] | None = None
    """Played before a timer reminder, if given."""
    allow_timers: bool = True
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _submitted: queue.SimpleQueue[str] = field(default_factory=queue.SimpleQueue)

    def __post_init__(self) -> None:
        if not self.allow_timers:
            self.dialog.allow_timers = False

    def start(self) -> str | None:
        """The one-time disclaimer, if it was never said on this device."""
        if self.store is None or self.store.get("disclaimer_said"):
            return None
        self.store.put("disclaimer_said", "1")
        return DISCLAIMER

    def turn(self, text: str) -> tuple[Understanding | None, Reply]:
        """One turn from text: never raises VoicebackError."""
        return self.turn_with(lambda: self.nlu.understand(text))

    def turn_with(
        self, understand: Callable[[], Understanding]
    ) -> tuple[Understanding | None, Reply]:
        """One turn from what `understand` makes of the input: never raises VoicebackError."""
        heard: Understanding | None = None
        try:
            heard = understand()
            with self._lock:
                reply = self.dialog.respond(heard)
            reply = self._act(reply)
        except InputError:
            reply = self.dialog.not_caught()
        except VoicebackError as err:
            log.warning("turn failed: %s", err)
            self.on_event(Event(EventKind.ERROR, {"code": err.code, "message": str(err)}))
            reply = Reply(
                text="Sorry, something went wrong there. Please try again.", intent="error"
            )
        understood: dict[str, object] = {
            "intent": heard.intent if heard else reply.intent,
            "text": heard.text if heard else "",
            "reply": reply.text,
            "red_flag": reply.red_flag,
        }
        self.on_event(Event(EventKind.UNDERSTOOD, understood))
        self._flush_events()
        return heard, reply

    def submit_text(self, text: str) -> None:
        """A text turn from another thread (the kiosk screen's buttons): thread-safe; the
        next tick(), on the conversation's own thread, answers it and says the reply."""
        self._submitted.put(text)

    def _answer_submitted(self) -> list[Spoken]:
        out: list[Spoken] = []
        while not self._submitted.empty():
            _, reply = self.turn(self._submitted.get())
            self.say(reply.text)
            out.append(Spoken(reply.text, expect=reply.expect))
        return out

    def tick(self, now_s: float | None = None) -> list[Spoken]:
        """Say whatever has come due (breathing cues, hold counts, timer reminders, the
        one check-in); returns it. Quick when nothing is due; never raises VoicebackError."""
        try:
            with self._lock:
                due = self.dialog.due(now_s)
        except VoicebackError as err:
            log.warning("tick failed: %s", err)
            self.on_event(Event(EventKind.ERROR, {"code": err.code, "message": str(err)}))
            return []
        self._flush_events()
        for spoken in due:
            if spoken.chime and self.chime is not None:
                self.chime()
            self.say(spoken.text)
        return due + self._answer_submitted()

    def say(self, text: str) -> None:
        """Speak, if there's a speaker; a failing speaker leaves the reply as text."""
        self.on_event(Event(EventKind.SPEAKING, {"text": text}))
        if self.speaker is None:
            return
        try:
            self.speaker.say(text)
        except VoicebackError as err:
            log.warning("speaking failed: %s", err)
            self.on_event(Event(EventKind.ERROR, {"code": err.code, "message": str(err)}))

    def _flush_events(self) -> None:
        with self._lock:
            events, self.dialog.events[:] = list(self.dialog.events), []
        for event in events:
            self.on_event(event)

    def _act(self, reply: Reply) -> Reply:
        if reply.action in ("slower", "faster", "louder", "quieter"):
            if not self.voice.adjust(reply.action):
                return Reply(text="That's as far as it goes.", intent=reply.intent)
            self._apply_voice()
        elif reply.action == "stop" and self.speaker is not None:
            self.speaker.stop()
        return reply

    def _apply_voice(self) -> None:
        if self.speaker is not None:
            self.speaker.configure(rate_wpm=self.voice.rate_wpm, volume=self.voice.volume)
        if self.store is not None:
            try:
                self.store.put("rate_wpm", str(self.voice.rate_wpm))
                self.store.put("volume", str(self.voice.volume))
            except StoreError as err:
                log.warning("could not remember the voice settings: %s", err)

    def close(self) -> None:
        """Nothing runs in the background: timers live in the store and ring on tick."""
