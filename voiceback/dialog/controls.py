"""The controls inside a routine: next, previous, repeat, pause, resume, stop, help,
the answers to the triage questions, and slower / faster in a breathing session.
A turn these don't cover returns None and is answered as a question of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceback.dialog.activities import Activity, BreathRun, StepRun, TriageRun
from voiceback.types import Reply, Understanding

if TYPE_CHECKING:
    from voiceback.dialog.core import Dialog

ANSWERS = {"yes": "yes", "no": "no", "not_sure": "not_sure"}


def control(dialog: Dialog, act: Activity, heard: Understanding, now: float) -> Reply | None:
    from voiceback.dialog.core import HELP

    intent = heard.intent
    if intent == "help":
        return Reply(text=HELP[act.name], intent="help")
    if intent == "stop":
        dialog._stop_activity()
        return Reply(text="Okay, we'll stop there.", intent="stop", action="stop")
    if intent == "pause":
        dialog._pause(act, now)
        return Reply(text="Okay, paused. Say resume when you're ready.", intent="pause")
    if isinstance(act, StepRun):
        return _steps(dialog, act, intent, now)
    if isinstance(act, TriageRun):
        return _triage(dialog, act, intent)
    return _breathing(act, intent, now)


def _steps(dialog: Dialog, run: StepRun, intent: str, now: float) -> Reply | None:
    if intent == "resume":
        run.paused = False
        return dialog._step(run, intent, now, lead="Let's carry on.")
    if intent in ("next", "yes"):
        if run.paused:
            run.paused = False
        if not run.move(+1):
            dialog.activity = None
            return Reply(text=run.routine.end, intent=intent, source=run.routine.source)
        return dialog._step(run, intent, now)
    if intent == "previous":
        lead = "" if run.move(-1) else "This is the first step."
        run.paused = False
        return dialog._step(run, intent, now, lead=lead)
    if intent == "repeat":
        run.paused = False
        return dialog._step(run, intent, now)
    return None


def _triage(dialog: Dialog, run: TriageRun, intent: str) -> Reply | None:
    if intent in ANSWERS and not run.paused:
        verdict = run.answer(ANSWERS[intent])
        if verdict:
            return _verdict(dialog, run, verdict, intent)
        return _question(dialog, run, intent)
    if intent in ("repeat", "resume") or intent in ANSWERS:  # a yes after a pause: go back
        run.paused = False
        return _question(dialog, run, intent)
    if intent == "previous":
        run.index = max(0, run.index - 1)
        return _question(dialog, run, intent)
    if intent == "next":
        return _question(dialog, run, intent, lead="Please answer yes, no, or not sure.")
    return None


def _question(dialog: Dialog, run: TriageRun, intent: str, lead: str = "") -> Reply:
    text, event = run.question()
    dialog.events.append(event)
    return Reply(text=f"{lead} {text}".strip(), intent=intent, expect="yes_no")


def _verdict(dialog: Dialog, run: TriageRun, verdict: str, intent: str) -> Reply:
    dialog.activity = None
    text = run.triage.verdicts[verdict]
    source = run.triage.source
    if verdict == "typical" and dialog.guided:
        return dialog._ask(
            "stop_spasm", "Shall I take you through what to do right now?", intent, lead=text
        )
    return Reply(text=text, intent=intent, red_flag=verdict == "urgent", source=source)


def _breathing(run: BreathRun, intent: str, now: float) -> Reply | None:
    session = run.session
    if intent in ("slower", "faster"):
        text = session.slower(now) if intent == "slower" else session.faster(now)
        return Reply(text=text, intent=intent)
    if intent == "resume":
        if run.paused:
            run.paused = False
            session.resume(now)
        return Reply(text="Let's carry on.", intent=intent)
    if intent in ("next", "previous"):
        return Reply(
            text="Just follow my voice. Say slower or faster to change the pace.", intent=intent
        )
    return None
