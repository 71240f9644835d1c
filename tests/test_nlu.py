"""Understanding with the real trained spaCy pipeline and the real rule layers."""

from __future__ import annotations

import pytest

from voiceback.evaluation import evaluate
from voiceback.knowledge import Knowledge
from voiceback.nlu import NLU, clean
from voiceback.types import InputError, ModelMissing


def test_checks_figures(knowledge: Knowledge, nlu: NLU) -> None:
    """The issue's quality bar on the held-out checks (bench/ prints the full report)."""
    report = evaluate(knowledge, nlu.understand)
    assert report.red_flag_recall == 1.0
    assert report.false_alarms <= 0.02
    assert report.false_alarms_other_checks <= 0.02
    assert report.accuracy >= 0.93
    assert report.macro_f1 >= 0.93


def test_every_red_flag_check_is_flagged(knowledge: Knowledge, nlu: NLU) -> None:
    missed = [t for t in knowledge.intents["red_flag"].checks if not nlu.understand(t).red_flag]
    assert missed == []


@pytest.mark.parametrize(
    "text",
    [
        "my back is seizing up and my left leg has gone numb",
        "i just wet myself and i didn't feel it coming",
        "the pain is shooting all the way down my leg into my foot",
        "this spasm has been going for fourteen hours and it's still really bad",
        "my leg keeps giving way when i stand",
        "i've got pins and needles running down my right leg",
        "no numbness but i can't control my bladder",
        "remind me in ten minutes my foot's gone numb",
    ],
)
def test_red_flag_reports_override_the_classifier(nlu: NLU, text: str) -> None:
    heard = nlu.understand(text)
    assert heard.red_flag
    assert heard.intent == "red_flag"
    assert heard.symptoms


@pytest.mark.parametrize(
    "text",
    [
        "what if my leg goes numb",
        "no numbness at all just a tight back",
        "i can feel my legs fine",
        "should i worry if i get pins and needles",
        "is losing bladder control an emergency",
        "it's only been an hour",
    ],
)
def test_negated_and_hypothetical_mentions_are_not_reports(nlu: NLU, text: str) -> None:
    heard = nlu.understand(text)
    assert not heard.red_flag
    assert heard.intent != "red_flag"


@pytest.mark.parametrize(
    ("text", "intent", "slots"),
    [
        ("remind me to take the ice off in fifteen minutes", "set_timer", {"minutes": 15}),
        ("set a timer for half an hour", "set_timer", {"minutes": 30}),
        ("timer for an hour and a half please", "set_timer", {"minutes": 90}),
        ("set a timer for 20 minutes", "set_timer", {"minutes": 20}),
        ("log my pain as a seven", "log_pain", {"pain_level": 7}),
        ("my pain is 4 out of 10", "log_pain", {"pain_level": 4}),
        ("stretches for my hip flexors", "stretches", {"body_part": "hip_flexors"}),
        ("how do i stretch out a calf cramp", "stretches", {"body_part": "calf"}),
    ],
)
def test_slots(nlu: NLU, text: str, intent: str, slots: dict[str, object]) -> None:
    heard = nlu.understand(text)
    assert heard.intent == intent
    assert heard.slots == slots


@pytest.mark.parametrize(
    "text",
    [
        "purple monkey dishwasher seventeen",
        "où est la bibliothèque s'il vous plaît",
        "\x00\x01\x02 \ufffd\ufffd zzkq",
        "asdf qwer zxcv",
    ],
)
def test_nonsense_and_other_languages_never_get_a_confident_guidance_answer(
    nlu: NLU, text: str
) -> None:
    heard = nlu.understand(text)
    assert heard.fallback or heard.intent == "out_of_scope"


def test_out_of_scope_is_recognized(nlu: NLU) -> None:
    assert nlu.understand("what's the weather like tomorrow").intent == "out_of_scope"


def test_very_long_text_still_finds_a_red_flag_at_the_end(nlu: NLU) -> None:
    text = "my back hurts " * 800 + "and now my leg is numb"
    assert len(text) > 10_000
    heard = nlu.understand(text)
    assert heard.red_flag


def test_empty_text_is_an_input_error(nlu: NLU) -> None:
    for text in ("", "   ", "?!...", "\x00\x00"):
        with pytest.raises(InputError):
            nlu.understand(text)


def test_clean_keeps_words_and_drops_junk() -> None:
    assert clean("  Hello\x00 there\n") == "Hello there"


def test_missing_and_broken_model(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ModelMissing, match="voiceback train"):
        NLU.load(tmp_path / "nothing")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.cfg").write_text("[nlp]\nlang = 'xx-notreal'\n")
    with pytest.raises(ModelMissing, match="could not be loaded"):
        NLU.load(broken)
