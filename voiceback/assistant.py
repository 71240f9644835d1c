"""Wires the stages: text -> Understanding -> Reply -> speech, one turn at a time.

No engine is imported here; stages are passed in. Every VoicebackError is caught
once per turn, turned into a short helpful reply, and reported as an ERROR event,
so one bad turn never ends the conversation.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voiceback.dialog import DISCLAIMER, Dialog
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
    timers: list[threading.Timer] = field(default_factory=list)
    allow_timers: bool = True

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
            self.on_event(Event(EventKind.UNDERSTOOD, {"intent": heard.intent}))
            reply = self._act(self.dialog.respond(heard), heard)
        except InputError:
            reply = self.dialog.not_caught()
        except VoicebackError as err:
            log.warning("turn failed: %s", err)
            self.on_event(Event(EventKind.ERROR, {"code": err.code, "message": str(err)}))
            reply = Reply(
                text="Sorry, something went wrong there. Please try again.", intent="error"
            )
        return heard, reply

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

    def _act(self, reply: Reply, heard: Understanding) -> Reply:
        if reply.action in ("slower", "faster", "louder", "quieter"):
            if not self.voice.adjust(reply.action):
                return Reply(text="That's as far as it goes.", intent=reply.intent)
            self._apply_voice()
        elif reply.action == "stop" and self.speaker is not None:
            self.speaker.stop()
        if reply.intent == "set_timer" and "minutes" in heard.slots:
            return self._set_timer(reply, int(heard.slots["minutes"]))
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

    def _set_timer(self, reply: Reply, minutes: int) -> Reply:
        if not self.allow_timers:
            text = "I can only keep a timer while I'm running. Ask me in the conversation."
            return Reply(text=text, intent=reply.intent)
        timer = threading.Timer(minutes * 60, self._timer_due, args=(minutes,))
        timer.daemon = True
        timer.start()
        self.timers.append(timer)
        self.on_event(Event(EventKind.TIMER, {"minutes": minutes}))
        return reply

    def _timer_due(self, minutes: int) -> None:
        self.on_event(Event(EventKind.TIMER, {"due": True, "minutes": minutes}))
        self.say(f"Your {minutes} minute timer is up.")

    def close(self) -> None:
        for timer in self.timers:
            timer.cancel()
