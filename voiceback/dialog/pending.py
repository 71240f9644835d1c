"""The open question the last reply asked (the ice reminder offer, deleting the log, the
check-in, a number for a timer or a pain level), answered by the next turn."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from voiceback.dialog.activities import StepRun, TriageRun
from voiceback.dialog.core import BACK_TO
from voiceback.dialog.words import number_in
from voiceback.types import Reply, Understanding

if TYPE_CHECKING:
    from voiceback.dialog.core import Dialog, Pending

ICE_MINUTES = 15


def answer(dialog: Dialog, pending: Pending, heard: Understanding, now: float) -> Reply | None:
    """The answer to the open question, or None when the turn is about something else."""
    dialog.pending = None
    intent = heard.intent
    if intent == "repeat":
        dialog.pending = pending
        return Reply(pending.text, intent, expect=pending.expect)
    if pending.expect == "number":
        number = number_in(heard.text)
        if number is None or intent in ("stop", "no"):
            return None
        if pending.kind == "minutes":
            return dialog._set_timer(number, "", now, intent="set_timer")
        return dialog._log_pain(number, now)
    if pending.kind == "red_flag" and intent == "not_sure":
        return dialog._start("triage", intent, now)
    if intent == "yes":
        return _accept(dialog, pending.kind, now)
    if intent == "no":
        return _decline(dialog, pending.kind)
    return None


def _accept(dialog: Dialog, kind: str, now: float) -> Reply:
    if kind == "ice_timer":
        reply = dialog._set_timer(ICE_MINUTES, "take the ice off", now, intent="yes")
        return _with_hint(dialog, reply)
    if kind == "delete_log":
        assert dialog.store is not None
        dialog.store.delete_log()
        return Reply(text="Done. I've deleted your log.", intent="yes")
    if kind == "check_in":
        return _with_hint(dialog, Reply(text="Good.", intent="yes"))
    if kind == "red_flag":
        return dialog._red_flag()
    return dialog._start(kind, "yes", now)


def _decline(dialog: Dialog, kind: str) -> Reply:
    if kind == "ice_timer":
        return _with_hint(dialog, Reply(text="Okay, no reminder.", intent="no"))
    if kind == "delete_log":
        return Reply(text="Okay, I've kept your log.", intent="no")
    if kind == "red_flag":
        act = dialog.activity
        back = f" {BACK_TO[act.name]}" if act is not None and act.paused else ""
        return Reply(text=f"Good. Sorry, I misheard you. What can I help with?{back}", intent="no")
    if kind == "check_in":
        lead = "I'm sorry it's hard. If something feels serious, call your doctor."
        return dialog._ask(
            "triage", "Shall we go through the warning signs together?", "no", lead=lead
        )
    return Reply(text="Okay. I'm here if you need me.", intent="no")


def _with_hint(dialog: Dialog, reply: Reply) -> Reply:
    """After a side answer inside a routine, how to go on."""
    act = dialog.activity
    if isinstance(act, StepRun):
        return replace(reply, text=f"{reply.text} Say next when you're ready.")
    if isinstance(act, TriageRun):
        text, event = act.question()
        dialog.events.append(event)
        return replace(reply, text=f"{reply.text} {text}", expect="yes_no")
    return reply
