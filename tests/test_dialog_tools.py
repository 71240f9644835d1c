"""Timers, reminders and the episode, pain and medicine log in scripted conversations:
several timers, how long is left, cancelling, reminders repeated until acknowledged,
timers across a process restart, the 12-hour rule, deleting the log."""

from __future__ import annotations

from pathlib import Path

import pytest
from dialog_talk import Clock, Talk

from voiceback.dialog import ASK_MINUTES, ASK_PAIN, OFFER_ICE
from voiceback.dialog.tools import RING_AGAIN_S, RINGS
from voiceback.knowledge import Knowledge
from voiceback.nlu import NLU
from voiceback.routines import load_routines
from voiceback.types import EventKind


@pytest.fixture
def talk(knowledge: Knowledge, nlu: NLU, tmp_path: Path) -> Talk:
    return Talk(knowledge, nlu, tmp_path / "voiceback.db", Clock())


def test_yes_after_the_ice_offer_sets_the_timer(talk: Talk) -> None:
    offer = talk.say("should i put ice on it or heat")
    assert offer.text.endswith(OFFER_ICE) or offer.text.endswith("in 15 minutes?")
    assert offer.expect == "yes_no"
    reply = talk.say("yes please")
    assert reply.text == "Okay. I'll remind you to take the ice off in 15 minutes."
    assert talk.say("how long is left").text == "The ice timer has 15 minutes left."
    timer = talk.kinds(EventKind.TIMER)[0]
    assert timer["due_at"] == talk.clock.now + 15 * 60 and timer["label"] == "take the ice off"


def test_several_timers_how_long_is_left_and_cancel(talk: Talk) -> None:
    assert "10 minutes" in talk.say("set a timer for ten minutes").text
    assert "ice off" in talk.say("remind me to take the ice off in 15 minutes").text
    talk.wait(60)
    left = talk.say("how much time is left on the timer").text
    assert left == (
        "You have 2 timers: the 10 minute timer has 9 minutes left, "
        "and the ice timer has 14 minutes left."
    )
    cancel = talk.say("cancel the ice reminder").text
    assert cancel == "Okay, I've cancelled the ice timer. 1 other timer is still running."
    assert talk.say("how long is left").text == "The 10 minute timer has 9 minutes left."
    assert talk.say("cancel the timer").text == "Okay, I've cancelled the 10 minute timer."
    assert talk.say("how long is left").text == "You have no timer running."
    assert talk.wait(30 * 60, step_s=5) == []


def test_a_reminder_rings_a_few_times_then_stops(talk: Talk) -> None:
    talk.say("remind me to take the ice off in 15 minutes")
    assert talk.wait(15 * 60 - 1, step_s=1) == []
    said = talk.wait(1 + RING_AGAIN_S * (RINGS + 3), step_s=1)
    assert len(said) == RINGS and talk.chimes == RINGS
    assert said[0].startswith("15 minutes are up: it's time to take the ice off.")
    assert all(text.startswith("A reminder. It's time to take the ice off.") for text in said[1:])


def test_okay_acknowledges_a_ringing_reminder(talk: Talk) -> None:
    talk.say("set a timer for five minutes")
    said = talk.wait(5 * 60, step_s=1)
    assert said == ["Your 5 minute timer is up. Say okay when you've heard me."]
    assert talk.say("okay").text == "Good. I've stopped the reminder."
    assert talk.wait(10 * 60, step_s=1) == []
    assert talk.chimes == 1


def test_timers_survive_a_process_restart(knowledge: Knowledge, nlu: NLU, tmp_path: Path) -> None:
    clock = Clock()
    db = tmp_path / "voiceback.db"
    first = Talk(knowledge, nlu, db, clock)
    first.say("remind me to take my tablets in two hours")
    first.say("set a timer for 20 minutes")
    first.store.close()
    clock.now += 30 * 60  # the device was off for half an hour
    again = Talk(knowledge, nlu, db, clock)
    said = again.wait(1)
    assert said == ["Your 20 minute timer is up. Say okay when you've heard me."]
    left = again.say("how long is left").text
    assert left == "The medicine timer has 1 hour and 30 minutes left."
    said = again.wait(90 * 60, step_s=5)
    assert said[0].startswith("2 hours are up: it's time to take your medicine.")


def test_a_timer_without_minutes_asks_for_a_number(talk: Talk) -> None:
    ask = talk.say("set a timer")
    assert (ask.text, ask.expect) == (ASK_MINUTES, "number")
    assert "12 minutes" in talk.say("twelve").text
    pain = talk.say("log my pain")
    assert (pain.text, pain.expect) == (ASK_PAIN, "number")
    assert "6 out of 10" in talk.say("six").text
    assert [e.level for e in talk.store.pain_log()] == [6]


def test_medicine_pain_and_episode_answers_come_from_the_log(talk: Talk) -> None:
    assert talk.say("i took two ibuprofen").text.startswith("Noted: 2 ibuprofen at ")
    talk.say("my back's gone into spasm")
    talk.wait(2 * 3600, step_s=60)
    talk.say("log my pain as a seven")
    talk.wait(30 * 60, step_s=60)
    talk.say("my pain is a four")
    last = talk.say("when did i last take it").text
    assert last.startswith("You last took 2 ibuprofen 2 hours and 30 minutes ago, at ")
    assert "doctor or pharmacist" in last
    history = talk.say("how has my pain been").text
    assert history.startswith("You've logged 2 pain scores today: 7 at ")
    assert "Since the first, it's going down." in history
    status = talk.say("how long has this been going on").text
    assert status.startswith("You first told me about this spasm 2 hours and 30 minutes ago")
    talk.say("my pain is zero now")
    assert talk.say("how long has this been going on").text.startswith("I don't have a spasm")


def test_a_spasm_past_twelve_hours_gets_the_doctor_advice_once(
    talk: Talk, knowledge: Knowledge
) -> None:
    advice = load_routines(knowledge.folder / "routines").triage.twelve_hours
    talk.say("my back is seizing up what do i do")
    talk.wait(11 * 3600, step_s=600)
    assert not talk.say("my pain is a six").text.startswith(advice)
    talk.wait(1.5 * 3600, step_s=600)
    warned = talk.say("my pain is still a six")
    assert warned.text.startswith(advice) and warned.red_flag
    assert not talk.say("log my pain as a five").text.startswith(advice)


def test_delete_log_asks_first(talk: Talk) -> None:
    talk.say("log my pain as a seven")
    talk.say("i took a paracetamol")
    ask = talk.say("delete my log")
    assert ask.expect == "yes_no" and "delete" in ask.text
    assert talk.say("no").text == "Okay, I've kept your log."
    assert len(talk.store.pain_log()) == 1
    talk.say("please wipe my history")
    assert talk.say("yes").text == "Done. I've deleted your log."
    assert talk.store.pain_log() == [] and talk.store.medicine_log() == []
    assert talk.say("when did i last take my tablets").text.startswith("I have no record")


def test_ask_mode_gives_single_answers(knowledge: Knowledge, tmp_path: Path) -> None:
    from voiceback.dialog import Dialog
    from voiceback.types import Understanding

    dialog = Dialog(knowledge, allow_timers=False, guided=False)
    reply = dialog.respond(Understanding("x", "is_it_serious", 0.9))
    assert reply.text in knowledge.intents["is_it_serious"].responses
    timer = dialog.respond(Understanding("x", "set_timer", 0.9, slots={"minutes": 5}))
    assert "only keep a timer while I'm running" in timer.text
