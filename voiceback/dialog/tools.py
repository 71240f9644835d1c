"""Timers and the episode, pain and medicine log: the replies that read or write the store."""

from __future__ import annotations

from voiceback.dialog.words import clock, medicine_in, span
from voiceback.store import Store, Timer
from voiceback.types import Event, EventKind

RING_AGAIN_S = 60.0
"""A reminder not acknowledged is said again after this long..."""
RINGS = 3
"""...this many times in all, then it stops."""
HISTORY_S = 24 * 3600.0
""""How has my pain been" looks back this far."""
TWELVE_HOURS_S = 12 * 3600.0

TIMER_LABELS = (
    (("ice", "frozen", "cold pack"), "take the ice off"),
    (("heat", "hot water", "heating"), "take the heat off"),
    (
        ("medicine", "tablet", "pill", "dose", "painkiller", "ibuprofen", "paracetamol"),
        "take your medicine",
    ),
    (("get up", "stand", "walk", "move"), "get up and move about"),
)
"""Words in a timer request -> what the reminder says to do."""


def timer_label(text: str) -> str:
    lowered = text.lower()
    for words, label in TIMER_LABELS:
        if any(w in lowered for w in words):
            return label
    return ""


def timer_name(timer: Timer) -> str:
    """How a timer is called: "the ice timer", "the 10 minute timer"."""
    for words, label in TIMER_LABELS:
        if label == timer.label:
            return f"the {words[0]} timer"
    return f"the {timer.minutes} minute timer"


def timer_event(timer: Timer, now_s: float, **extra: object) -> Event:
    data: dict[str, object] = {
        "id": timer.id,
        "label": timer.label,
        "due_at": timer.due_s,
        "left_s": max(0.0, timer.due_s - now_s),
    }
    return Event(EventKind.TIMER, data | extra)


def reminder(timer: Timer) -> str:
    if not timer.label:
        what = f"Your {timer.minutes} minute timer is up."
    elif timer.rung == 0:
        length = span(timer.minutes * 60.0)
        verb = "is" if length.startswith("1 ") and " and " not in length else "are"
        what = f"{length} {verb} up: it's time to {timer.label}."
    else:
        what = f"It's time to {timer.label}."
    lead = "A reminder. " if timer.rung else ""
    return f"{lead}{what} Say okay when you've heard me."


def time_left(store: Store, now_s: float) -> str:
    timers = [t for t in store.timers() if t.rung == 0]
    if not timers:
        return "You have no timer running."
    parts = [
        f"{timer_name(t)} has {span(t.due_s - now_s, round_up=True)} left"
        if t.due_s > now_s
        else f"{timer_name(t)} is up now"
        for t in timers
    ]
    if len(parts) == 1:
        return parts[0][0].upper() + parts[0][1:] + "."
    listed = ", ".join(parts[:-1]) + f", and {parts[-1]}"
    return f"You have {len(parts)} timers: {listed}."


def cancel(store: Store, text: str, now_s: float) -> tuple[str, list[Event]]:
    timers = store.timers()
    if not timers:
        return "There's no timer to cancel.", []
    lowered = text.lower()
    label = timer_label(lowered)
    if any(w in lowered.split() for w in ("all", "both", "every", "timers", "reminders")):
        chosen = timers
    elif label and any(t.label == label for t in timers):
        chosen = [t for t in timers if t.label == label]
    else:
        chosen = [max(timers, key=lambda t: t.id)]
    for timer in chosen:
        store.finish_timer(timer.id)
    events = [timer_event(t, now_s, cancelled=True) for t in chosen]
    names = " and ".join(timer_name(t) for t in chosen)
    left = len(timers) - len(chosen)
    still = f" {left} other timer{'s are' if left > 1 else ' is'} still running." if left else ""
    return f"Okay, I've cancelled {names}.{still}", events


def medicine(store: Store, text: str, now_s: float) -> str:
    name, amount = medicine_in(text)
    entry = store.log_medicine(name or "medicine", amount, now_s)
    what = f"{amount} {entry.name}" if amount else entry.name
    return f"Noted: {what} at {clock(now_s)}."


def last_medicine(store: Store, text: str, now_s: float) -> str:
    name, _ = medicine_in(text)
    entries = [e for e in store.medicine_log() if not name or e.name == name]
    if not entries:
        which = name or "any medicine"
        return (
            f"I have no record of {which}. When you take some, tell me, like: I took two ibuprofen."
        )
    last = entries[-1]
    what = f"{last.amount} {last.name}" if last.amount else last.name
    return (
        f"You last took {what} {span(now_s - last.at_s)} ago, at {clock(last.at_s)}. "
        "For how much and how often, ask your doctor or pharmacist."
    )


def pain_history(store: Store, now_s: float) -> str:
    entries = store.pain_log(since_s=now_s - HISTORY_S)
    if not entries:
        return "You haven't logged any pain scores today. Say, for example: my pain is a six."
    said = [f"{e.level} at {clock(e.at_s)}" for e in entries[-4:]]
    listed = said[0] if len(said) == 1 else ", then ".join(said)
    text = (
        f"You've logged {len(entries)} pain score{'s' if len(entries) > 1 else ''} today: {listed}."
    )
    if len(entries) > 1:
        first, last = entries[0].level, entries[-1].level
        trend = "going down" if last < first else "going up" if last > first else "about the same"
        text += f" Since the first, it's {trend}."
    return text


def episode_status(store: Store, now_s: float) -> str:
    episode = store.episode(now_s)
    if episode is None:
        return (
            "I don't have a spasm logged right now. Tell me when one starts, or tell me "
            "your pain out of 10, and I'll keep track."
        )
    return (
        f"You first told me about this spasm {span(now_s - episode.started_s)} ago, "
        f"at {clock(episode.started_s)}."
    )
