"""A scripted conversation on the real engines (trained NLU, real SQLite, breathing
sessions) with a clock the test moves: say() a line, wait() some seconds while the
Assistant ticks as the hands-free loop and `voiceback chat` do."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.dialog import Dialog
from voiceback.knowledge import Knowledge
from voiceback.listening import understand_best
from voiceback.nlu import NLU
from voiceback.store import Store
from voiceback.types import Event, EventKind, Reply, Transcript

START_S = 1_750_000_000.0


@dataclass
class Clock:
    now: float = START_S

    def __call__(self) -> float:
        return self.now


class Talk:
    def __init__(self, knowledge: Knowledge, nlu: NLU, db: Path, clock: Clock) -> None:
        self.clock = clock
        self.store = Store(db)
        self.events: list[Event] = []
        self.chimes = 0
        self.dialog = Dialog(knowledge, self.store, clock=clock)
        self.assistant = Assistant(
            nlu,
            self.dialog,
            None,
            VoiceSettings(150, 0.9),
            self.store,
            on_event=self.events.append,
            chime=self._chime,
        )

    def _chime(self) -> None:
        self.chimes += 1

    def say(self, text: str) -> Reply:
        _, reply = self.assistant.turn(text)
        return reply

    def hear(self, text: str, *alternatives: str) -> Reply:
        """A recognizer's reading, understood as the spoken path does (n-best)."""
        transcript = Transcript(text, 0.9, 2.0, alternatives=alternatives)
        understand = self.assistant.nlu.understand
        _, reply = self.assistant.turn_with(lambda: understand_best(understand, transcript))
        return reply

    def wait(self, seconds: float, step_s: float = 0.25) -> list[str]:
        """Move the clock on, ticking every step_s; what was said meanwhile."""
        said: list[str] = []
        end = self.clock.now + seconds
        while self.clock.now < end:
            self.clock.now = min(end, self.clock.now + step_s)
            said.extend(spoken.text for spoken in self.assistant.tick())
        return said

    def kinds(self, kind: EventKind) -> list[dict[str, object]]:
        return [e.data for e in self.events if e.kind == kind]
