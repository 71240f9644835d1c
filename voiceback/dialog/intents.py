"""One turn's intent -> Reply, when no open question or routine control took it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from voiceback.dialog import tools
from voiceback.dialog.core import ASK_DELETE, ASK_MINUTES, ASK_PAIN, OFFER_ICE
from voiceback.types import Reply, Understanding

if TYPE_CHECKING:
    from voiceback.dialog.core import Dialog

BODY_WORDS = {
    "lower_back": ("lower back", "low back"),
    "hip_flexors": ("hip",),
    "calf": ("calf",),
    "hamstring": ("hamstring",),
    "neck": ("neck",),
    "upper_back": ("upper back", "shoulder"),
}
ROUTINES = {
    "stop_spasm": "stop_spasm",
    "stretches": "stretches",
    "breathing": "breathing",
    "is_it_serious": "triage",
}
LOG_READS = {
    "timer_left": lambda d, h, now: tools.time_left(d.store, now),
    "last_medicine": lambda d, h, now: tools.last_medicine(d.store, h.text, now),
    "pain_history": lambda d, h, now: tools.pain_history(d.store, now),
    "episode_status": lambda d, h, now: tools.episode_status(d.store, now),
}


def dispatch(dialog: Dialog, heard: Understanding, now: float) -> Reply:
    intent = heard.intent
    if intent == "repeat" and dialog.last is not None:
        return dialog.last
    if intent == "more":
        return dialog.answers.more()
    if intent in LOG_READS:
        return Reply(text=LOG_READS[intent](dialog, heard, now), intent=intent)
    if intent in ("set_timer", "log_pain"):
        return _slot(dialog, heard, now)
    if intent == "cancel_timer":
        return _cancel(dialog, heard, now)
    if intent == "log_medicine":
        assert dialog.store is not None
        return Reply(text=tools.medicine(dialog.store, heard.text, now), intent=intent)
    if intent == "delete_log":
        return dialog._ask("delete_log", ASK_DELETE, intent)
    if intent == "stop_spasm" and dialog.store is not None:
        dialog.store.report_spasm(now)
    if dialog.guided and intent in ROUTINES:
        body = str(heard.slots.get("body_part", ""))
        return dialog._start(ROUTINES[intent], intent, now, body_part=body)
    prefer = BODY_WORDS.get(str(heard.slots.get("body_part", "")), ())
    reply = dialog.answers.answer(intent, prefer=prefer)
    if intent == "heat_ice" and dialog.guided and dialog.allow_timers:
        lead = reply.text
        if "ice" not in lead.lower():
            return dialog._ask(
                "ice_timer",
                "If you use ice, shall I remind you to take it off in 15 minutes?",
                intent,
                lead=lead,
            )
        return dialog._ask("ice_timer", OFFER_ICE, intent, lead=lead)
    return reply


def _slot(dialog: Dialog, heard: Understanding, now: float) -> Reply:
    if heard.intent == "set_timer":
        minutes = heard.slots.get("minutes")
        if not isinstance(minutes, int) or minutes <= 0:
            return dialog._ask("minutes", ASK_MINUTES, "set_timer", expect="number")
        return dialog._set_timer(minutes, tools.timer_label(heard.text), now, intent="set_timer")
    level = heard.slots.get("pain_level")
    if not isinstance(level, int):
        return dialog._ask("pain", ASK_PAIN, "log_pain", expect="number")
    return dialog._log_pain(level, now)


def _cancel(dialog: Dialog, heard: Understanding, now: float) -> Reply:
    assert dialog.store is not None
    text, events = tools.cancel(dialog.store, heard.text, now)
    dialog.events.extend(events)
    dialog._next_timer_s = None
    return Reply(text=text, intent="cancel_timer")
