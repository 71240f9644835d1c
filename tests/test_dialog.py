"""The conversation logic on the real intents: variety, more, repeat, slots, red flags."""

from __future__ import annotations

from itertools import pairwise
from pathlib import Path

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.dialog import ASK_MINUTES, ASK_PAIN, DISCLAIMER, Dialog
from voiceback.knowledge import Knowledge
from voiceback.nlu import NLU
from voiceback.store import Store
from voiceback.types import Understanding


def heard(intent: str, **slots: int | str) -> Understanding:
    return Understanding(text=intent, intent=intent, confidence=0.9, slots=dict(slots))


def test_answers_vary_and_never_repeat_back_to_back(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    texts = [dialog.respond(heard("heat_ice")).text for _ in range(12)]
    assert all(a != b for a, b in pairwise(texts))
    assert len(set(texts)) >= 3
    responses = knowledge.intents["heat_ice"].responses
    assert all(any(t.startswith(r) for r in responses) for t in texts)  # + the ice offer


def test_more_gives_the_detail_of_the_last_topic(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    first = dialog.respond(heard("medication"))
    assert first.source == "Medicines For Muscle Spasm"
    dialog.respond(heard("thanks"))
    more = dialog.respond(heard("more"))
    assert more.text in knowledge.intents["medication"].more
    fresh = Dialog(knowledge).respond(heard("more"))
    assert fresh.text in knowledge.intents["more"].responses


def test_repeat_says_the_last_reply_again(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    reply = dialog.respond(heard("position"))
    assert dialog.respond(heard("repeat")) == reply
    assert dialog.respond(heard("repeat")) == reply


def test_red_flag_wins_over_everything(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    report = Understanding(
        text="x", intent="red_flag", confidence=1.0, red_flag=True, fallback=True
    )
    reply = dialog.respond(report)
    assert reply.red_flag
    assert reply.text in knowledge.intents["red_flag"].responses


def test_low_confidence_asks_again_with_two_suggestions(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    unsure = Understanding(text="x", intent="surgery", confidence=0.2, fallback=True)
    reply = dialog.respond(unsure)
    assert reply.text.startswith("Sorry, I didn't catch that.")
    assert reply.text.count("say") + reply.text.count("Or:") >= 2


def test_missing_slots_are_asked_for(knowledge: Knowledge) -> None:
    dialog = Dialog(knowledge)
    assert dialog.respond(heard("set_timer")).text == ASK_MINUTES
    assert dialog.respond(heard("log_pain")).text == ASK_PAIN
    assert "15" in dialog.respond(heard("set_timer", minutes=15)).text


def test_pain_is_logged_in_sqlite(knowledge: Knowledge, tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    reply = Dialog(knowledge, store).respond(heard("log_pain", pain_level=6))
    assert "6" in reply.text
    assert [e.level for e in Store(tmp_path / "db").pain_log()] == [6]


def test_stretch_answer_follows_the_body_part(knowledge: Knowledge) -> None:
    responses = knowledge.intents["stretches"].responses
    assert any("hip" in r.lower() for r in responses)
    assert not all("hip" in r.lower() for r in responses)
    dialog = Dialog(knowledge)
    for _ in range(4):
        assert "hip" in dialog.respond(heard("stretches", body_part="hip_flexors")).text.lower()


def test_assistant_turns_controls_into_voice_changes(
    knowledge: Knowledge, nlu: NLU, tmp_path: Path
) -> None:
    store = Store(tmp_path / "db")
    assistant = Assistant(nlu, Dialog(knowledge, store), None, VoiceSettings(150, 0.9), store)
    assert assistant.start() == DISCLAIMER
    assert assistant.start() is None
    assistant.turn("slow down please")
    assistant.turn("louder")
    assert (assistant.voice.rate_wpm, assistant.voice.volume) == (130, 1.0)
    _, reply = assistant.turn("louder")
    assert reply.text == "That's as far as it goes."
    assert store.get("rate_wpm") == "130"
    heard_, reply = assistant.turn("")
    assert heard_ is None
    assert reply.text.startswith("Sorry")
