"""What the conversation can be in the middle of: a step routine, the triage questions,
or a breathing session. Each answers the controls (next, previous, repeat, pause,
resume, stop) and says what has come due on the clock (hold counts, breathing cues).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from voiceback.dialog.words import NUMBER_WORDS
from voiceback.routines import Routine, Triage
from voiceback.types import Event, EventKind

if TYPE_CHECKING:
    from voiceback.breathing import BreathingSession

SECONDS_PER_WORD = 0.4
"""Spoken length estimate (150 words a minute): a hold count starts after the step is said."""
LATE_S = 1.5
"""A hold count this late (speech ran long) is skipped rather than said in a burst."""
COUNT_WORDS = [*NUMBER_WORDS[1:], "twenty"]
RELAX = "And relax."


@dataclass(frozen=True, slots=True)
class Spoken:
    """Something said on the dialog's own initiative: a cue, a count, a reminder."""

    text: str
    chime: bool = False
    events: tuple[Event, ...] = ()
    expect: str = ""


def step_event(routine: str, index: int, count: int, text: str, phase: str, hold_s: float) -> Event:
    data: dict[str, object] = {
        "routine": routine,
        "phase": phase,
        "duration_s": hold_s,
        "text": text,
        "index": index,
        "count": count,
    }
    return Event(EventKind.STEP, data)


@dataclass(slots=True)
class StepRun:
    """A step routine (stop_spasm, stretches) with its hold counts."""

    routine: Routine
    index: int = 0
    paused: bool = False
    counts: list[tuple[float, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.routine.name

    def say(self, now_s: float) -> tuple[str, Event]:
        """The current step's words; plans its hold count to start after them."""
        step = self.routine.steps[self.index]
        n = len(self.routine.steps)
        text = f"Step {self.index + 1} of {n}. {step.text}"
        self.counts = []
        if step.hold_s and not self.paused:
            start = now_s + len(text.split()) * SECONDS_PER_WORD + 0.5
            seconds = int(step.hold_s)
            self.counts = [(start + i, COUNT_WORDS[min(i, 19)]) for i in range(seconds)]
            self.counts.append((start + seconds, f"{RELAX} Say next when you're ready."))
        event = step_event(self.name, self.index, n, step.text, "step", step.hold_s)
        return text, event

    def move(self, delta: int) -> bool:
        """Go to the next or previous step; False past either end."""
        target = self.index + delta
        if not 0 <= target < len(self.routine.steps):
            return False
        self.index = target
        return True

    def due(self, now_s: float) -> list[Spoken]:
        out: list[Spoken] = []
        while self.counts and self.counts[0][0] <= now_s:
            at_s, text = self.counts.pop(0)
            last = not self.counts
            if last or now_s - at_s <= LATE_S:
                phase = "relax" if last else "count"
                n = len(self.routine.steps)
                out.append(
                    Spoken(text, events=(step_event(self.name, self.index, n, text, phase, 0.0),))
                )
        return out

    def next_at_s(self) -> float | None:
        return self.counts[0][0] if self.counts else None


@dataclass(slots=True)
class TriageRun:
    """The warning-sign questions, one at a time."""

    triage: Triage
    index: int = 0
    paused: bool = False
    answers: dict[str, str] = field(default_factory=dict)

    name = "triage"

    def question(self) -> tuple[str, Event]:
        q = self.triage.questions[self.index]
        n = len(self.triage.questions)
        return q.text, step_event("triage", self.index, n, q.text, "question", 0.0)

    def answer(self, said: str) -> str:
        """Record yes / no / not_sure; the verdict key when decided, else "".

        An answer whose verdict is urgent ends the questions at once; any other is
        kept, and after the last question the worst one kept is the verdict."""
        q = self.triage.questions[self.index]
        self.answers[q.key] = said
        verdict = {"yes": q.if_yes, "not_sure": q.if_unsure}.get(said, "typical")
        if verdict == "urgent":
            return verdict
        self.index += 1
        if self.index < len(self.triage.questions):
            return ""
        kept = [self._verdict(k, v) for k, v in self.answers.items()]
        return "call_doctor" if "call_doctor" in kept else "typical"

    def _verdict(self, key: str, said: str) -> str:
        q = next(q for q in self.triage.questions if q.key == key)
        return {"yes": q.if_yes, "not_sure": q.if_unsure}.get(said, "typical")

    def due(self, now_s: float) -> list[Spoken]:
        return []

    def next_at_s(self) -> float | None:
        return None


@dataclass(slots=True)
class BreathRun:
    """A voiceback.breathing.BreathingSession, with its cues turned into Spoken."""

    session: BreathingSession
    paused: bool = False
    said: int = 0

    name = "breathing"

    def due(self, now_s: float) -> list[Spoken]:
        out = []
        for cue in self.session.due(now_s):
            data: dict[str, object] = {
                "routine": "breathing",
                "phase": cue.phase,
                "duration_s": cue.duration_s,
                "text": cue.text,
                "index": self.said,
                "count": len(self.session.timeline()),
            }
            self.said += 1
            out.append(Spoken(cue.text, events=(Event(EventKind.STEP, data),)))
        return out

    def next_at_s(self) -> float | None:
        return self.session.next_at_s()

    @property
    def finished(self) -> bool:
        return bool(self.session.finished)


Activity = StepRun | TriageRun | BreathRun
