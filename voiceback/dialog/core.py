"""The conversation: Understanding -> Reply, and what comes due on the clock -> Spoken.

One turn goes: red flag first (always, whatever else is going on), then a missed
word (ask the open question again), then the open yes/no or number question, then
the routine in progress (its controls and answers), then the intent itself. It
speaks no audio and touches no device: "slower" for the voice goes back to the
caller in Reply.action; "slower" in a breathing session changes the session.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from voiceback.dialog import tools
from voiceback.dialog.activities import Activity, BreathRun, Spoken, StepRun, TriageRun
from voiceback.dialog.answers import Answers
from voiceback.knowledge import Knowledge
from voiceback.routines import Routines, load_routines
from voiceback.store import Store
from voiceback.types import Event, Reply, StoreError, Understanding

CHECK_IN_S = 45.0
"""Silence in the middle of a routine before it asks, once, whether all is well."""
CHECK_IN = "Are you all right? Take your time, I'm here when you're ready."
ASK_MINUTES = "How many minutes should the timer be?"
ASK_PAIN = "What number is your pain, from 0 for none to 10 for the worst?"
OFFER_ICE = "Shall I remind you to take the ice off in 15 minutes?"
ASK_DELETE = "Shall I delete your whole log: pain scores, spasms and medicines? It can't be undone."
NO_TIMERS = "I can only keep a timer while I'm running. Ask me in the conversation."
KEEPS_GOING = ("louder", "quieter", "slower", "faster", "repeat", "thanks", "yes", "no", "greeting")
"""Turns that don't interrupt a routine in progress (the voice, a thank you)."""
HELP = {
    "stop_spasm": "You can say next, previous, repeat, pause, or stop.",
    "stretches": "You can say next, previous, repeat, pause, or stop.",
    "breathing": "You can say slower, faster, pause, resume, or stop.",
    "triage": "Answer yes, no, or not sure. You can also say repeat, or stop.",
}
BACK_TO = {
    "stop_spasm": "Say resume to go back to the steps.",
    "stretches": "Say resume to go back to the stretches.",
    "breathing": "Say resume to go back to the breathing.",
    "triage": "Say resume to go back to the questions.",
}


@dataclass(frozen=True, slots=True)
class Pending:
    """The question the last reply asked, which the next turn may answer."""

    kind: str
    text: str
    expect: str = "yes_no"


@dataclass(slots=True)
class Dialog:
    knowledge: Knowledge
    store: Store | None = None
    rng: random.Random = field(default_factory=lambda: random.Random(0))
    clock: Callable[[], float] = time.time
    """Unix seconds; injectable for scripted tests."""
    routines: Routines | None = None
    breathing_plan: object | None = None
    """A voiceback.breathing.BreathingPlan; loaded from intents/routines when None."""
    allow_timers: bool = True
    guided: bool = True
    """Routines step by step (a conversation), or single answers (`voiceback ask`)."""
    check_in_s: float = CHECK_IN_S
    last: Reply | None = None
    activity: Activity | None = None
    pending: Pending | None = None
    events: list[Event] = field(default_factory=list)
    """Events (steps, timers) for the caller to pass on; drained by the Assistant."""
    answers: Answers = field(init=False)
    _quiet_since_s: float = 0.0
    _checked_in: bool = False
    _next_timer_s: float | None = None

    def __post_init__(self) -> None:
        if self.store is None:
            self.store = Store(Path(":memory:"))
        if self.routines is None:
            self.routines = load_routines(self.knowledge.folder / "routines")
        self.answers = Answers(self.knowledge, self.rng)
        self._quiet_since_s = self.clock()

    @property
    def topic(self) -> str:
        return self.answers.topic

    # --- turns ----------------------------------------------------------------------

    def respond(self, heard: Understanding) -> Reply:
        now = self.clock()
        reply = self._respond(heard, now)
        self._quiet_since_s, self._checked_in = now, False
        if heard.intent != "repeat" or self.last is None:
            self.last = reply
        return reply

    def not_caught(self) -> Reply:
        return self.answers.not_caught()

    def _respond(self, heard: Understanding, now: float) -> Reply:
        acknowledged = self._acknowledge(now)
        if heard.red_flag:
            return self._red_flag()
        if heard.check_red_flag:
            return self._check_red_flag(now)
        reply = self._turn(heard, now, acknowledged)
        warning = self._twelve_hours(now)
        if warning:
            return replace(reply, text=f"{warning} {reply.text}", red_flag=True)
        return reply

    def _turn(self, heard: Understanding, now: float, acknowledged: bool) -> Reply:
        if heard.fallback:
            return self._again()
        intent = heard.intent
        if self.pending is not None:
            answered = self._answer_pending(self.pending, heard, now)
            if answered is not None:
                return answered
        if acknowledged and intent in ("yes", "no", "thanks", "stop"):
            return Reply(text="Good. I've stopped the reminder.", intent=intent)
        if self.activity is not None:
            handled = self._control(self.activity, heard, now)
            if handled is not None:
                return handled
        before = self.activity
        reply = self._intent(heard, now)
        keeps_going = intent in KEEPS_GOING
        if before is not None and self.activity is before and not reply.expect and not keeps_going:
            return self._interrupted(before, reply)
        return reply

    def _red_flag(self) -> Reply:
        """Straight to the urgent answer: whatever was going on stops."""
        self._stop_activity()
        self.pending = None
        return self.answers.answer("red_flag")

    def _check_red_flag(self, now: float) -> Reply:
        """Heard words that may have been a warning sign: ask, with whatever is running
        paused (yes gets the urgent answer, see `pending.py`)."""
        assert self.routines is not None
        if self.activity is not None and not self.activity.paused:
            self._pause(self.activity, now)
        return self._ask("red_flag", self.routines.triage.confirm, "check_red_flag")

    def _again(self) -> Reply:
        """A missed word: the open question again, or two suggestions."""
        sorry = "Sorry, I didn't catch that."
        if self.pending is not None:
            return Reply(f"{sorry} {self.pending.text}", "fallback", expect=self.pending.expect)
        if isinstance(self.activity, TriageRun) and not self.activity.paused:
            text, event = self.activity.question()
            self.events.append(event)
            return Reply(f"{sorry} {text}", "fallback", expect="yes_no")
        return self.answers.not_caught()

    def _ask(
        self, kind: str, question: str, intent: str, expect: str = "yes_no", lead: str = ""
    ) -> Reply:
        """Ask a question the next turn may answer (yes/no, or a number)."""
        self.pending = Pending(kind, question, expect)
        return Reply(text=f"{lead} {question}".strip(), intent=intent, expect=expect)

    def _answer_pending(self, pending: Pending, heard: Understanding, now: float) -> Reply | None:
        from voiceback.dialog.pending import answer

        return answer(self, pending, heard, now)

    # --- routines ----------------------------------------------------------------------

    def _start(self, name: str, intent: str, now: float, body_part: str = "") -> Reply:
        self._stop_activity()
        assert self.routines is not None
        if name == "triage":
            run = TriageRun(self.routines.triage)
            self.activity = run
            text, event = run.question()
            self.events.append(event)
            return Reply(
                f"{run.triage.intro} {text}", intent, source=run.triage.source, expect="yes_no"
            )
        if name == "breathing":
            return self._start_breathing(intent, now)
        routine = self.routines.steps(name)
        steps = StepRun(routine, index=routine.start_for(body_part))
        self.activity = steps
        return self._step(steps, intent, now, lead=routine.intro)

    def _start_breathing(self, intent: str, now: float) -> Reply:
        from voiceback.breathing import BreathingSession, load_plan

        if self.breathing_plan is None:
            self.breathing_plan = load_plan(self.knowledge.folder)
        run = BreathRun(BreathingSession(self.breathing_plan, now))  # type: ignore[arg-type]
        self.activity = run
        first = run.due(now)
        self.events.extend(e for cue in first for e in cue.events)
        text = " ".join(cue.text for cue in first) or "Let's breathe together."
        source = "Consciously Try To Relax Your Muscles With Slow Deep Breaths"
        return Reply(text=text, intent=intent, source=source)

    def _step(self, run: StepRun, intent: str, now: float, lead: str = "") -> Reply:
        text, event = run.say(now)
        self.events.append(event)
        step = run.routine.steps[run.index]
        text = f"{lead} {text}".strip()
        source = step.source or run.routine.source
        if step.offer == "ice_timer" and self.allow_timers:
            return self._ask("ice_timer", OFFER_ICE, intent, lead=text)
        return Reply(text=text, intent=intent, source=source)

    def _stop_activity(self) -> None:
        if isinstance(self.activity, BreathRun):
            self.activity.session.stop()
        self.activity = None

    def _interrupted(self, act: Activity, reply: Reply) -> Reply:
        """Another question in the middle of a routine: answered; the routine waits."""
        self._pause(act, self.clock())
        return replace(reply, text=f"{reply.text} {BACK_TO[act.name]}")

    def _pause(self, act: Activity, now: float) -> None:
        act.paused = True
        if isinstance(act, StepRun):
            act.counts = []
        elif isinstance(act, BreathRun):
            act.session.pause(now)

    def _control(self, act: Activity, heard: Understanding, now: float) -> Reply | None:
        from voiceback.dialog.controls import control

        return control(self, act, heard, now)

    # --- intents -------------------------------------------------------------------------

    def _intent(self, heard: Understanding, now: float) -> Reply:
        from voiceback.dialog.intents import dispatch

        return dispatch(self, heard, now)

    def _set_timer(self, minutes: int, label: str, now: float, intent: str) -> Reply:
        if not self.allow_timers or self.store is None:
            return Reply(text=NO_TIMERS, intent=intent)
        if not 0 < minutes <= 24 * 60:
            return self._ask("minutes", ASK_MINUTES, "set_timer", expect="number")
        timer = self.store.add_timer(label, minutes, now)
        self._next_timer_s = None
        self.events.append(tools.timer_event(timer, now))
        if label:
            text = f"Okay. I'll remind you to {label} in {minutes} minutes."
        else:
            text = self.answers.answer("set_timer").text.format(minutes=minutes)
        return Reply(text=text, intent=intent)

    def _log_pain(self, level: int, now: float) -> Reply:
        if not 0 <= level <= 10:
            return self._ask("pain", ASK_PAIN, "log_pain", expect="number")
        assert self.store is not None
        try:
            self.store.log_pain(level, at_s=now)
            if level == 0:
                self.store.end_episode(now)
            else:
                self.store.report_spasm(now)
        except StoreError:
            return Reply(text="Sorry, I couldn't write that down just now.", intent="log_pain")
        text = self.answers.answer("log_pain").text.format(pain_level=level)
        return Reply(text=text, intent="log_pain")

    def _twelve_hours(self, now: float) -> str:
        """The article's advice, once per episode, when a spasm goes on past 12 hours."""
        assert self.store is not None and self.routines is not None
        episode = self.store.episode(now)
        if episode is None or episode.warned or now - episode.started_s < tools.TWELVE_HOURS_S:
            return ""
        self.store.mark_warned(episode.id)
        return self.routines.triage.twelve_hours

    def _acknowledge(self, now: float) -> bool:
        """Any turn after a reminder rang is taken as heard: it rings no more."""
        if self.store is None:
            return False
        ringing = [t for t in self.store.timers() if t.rung > 0]
        for timer in ringing:
            self.store.finish_timer(timer.id)
            self.events.append(tools.timer_event(timer, now, acknowledged=True))
        if ringing:
            self._next_timer_s = None
        return bool(ringing)

    # --- the clock ------------------------------------------------------------------------

    def due(self, now_s: float | None = None) -> list[Spoken]:
        """What to say now on the dialog's own initiative; quick when nothing is due."""
        now = self.clock() if now_s is None else now_s
        out = self._timers_due(now)
        act = self.activity
        if act is not None:
            said = act.due(now)
            if said:
                self._quiet_since_s = now
                out.extend(said)
            if isinstance(act, BreathRun) and act.finished:
                self.activity = None
            elif self._should_check_in(act, now):
                self._checked_in = True
                self.pending = Pending("check_in", CHECK_IN)
                out.append(Spoken(CHECK_IN, expect="yes_no"))
        for spoken in out:
            self.events.extend(spoken.events)
        return out

    def _should_check_in(self, act: Activity, now: float) -> bool:
        return (
            not act.paused and not self._checked_in and now - self._quiet_since_s >= self.check_in_s
        )

    def _timers_due(self, now: float) -> list[Spoken]:
        if self.store is None or not self.allow_timers:
            return []
        if self._next_timer_s is None:
            upcoming = [t.next_s for t in self.store.timers()]
            self._next_timer_s = min(upcoming, default=float("inf"))
        if now < self._next_timer_s:
            return []
        out = []
        for timer in self.store.timers():
            if timer.next_s <= now:
                last = timer.rung + 1 >= tools.RINGS
                self.store.ring(timer.id, now + tools.RING_AGAIN_S, last)
                event = tools.timer_event(timer, now, due=True, rung=timer.rung + 1)
                out.append(Spoken(tools.reminder(timer), chime=True, events=(event,)))
        self._next_timer_s = None
        return out
