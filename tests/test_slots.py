"""Slot rules on recognizer-style text: minutes, pain level and body part."""

from __future__ import annotations

import pytest
import spacy
from spacy.language import Language

from voiceback.nlu.slots import SlotRules, find_durations, parse_number, spoken_words


@pytest.fixture(scope="module")
def nlp() -> Language:
    return spacy.blank("en")


@pytest.fixture(scope="module")
def slots(nlp: Language) -> SlotRules:
    return SlotRules(nlp.vocab)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("set a timer for fifteen minutes", 15),
        ("15 minutes", 15),
        ("remind me in 15 mins", 15),
        ("in 10 min", 10),
        ("remind me in half an hour to take the ice off", 30),
        ("remind me in an hour", 60),
        ("remind me in an hour and a half to take my medicine", 90),
        ("one and a half hours", 90),
        ("1.5 hours", 90),
        ("a quarter of an hour", 15),
        ("three quarters of an hour", 45),
        ("half hour timer", 30),
        ("twenty five minutes", 25),
        ("twenty-five minutes", 25),
        ("two hours", 120),
        ("two and a half hours", 150),
        ("90 seconds", 2),
        ("30 seconds", 1),
        ("60 seconds", 1),
        ("a minute", 1),
        ("a couple of minutes", 2),
        ("set a 10 minute timer", 10),
        ("timer 20 minutes", 20),
        ("5min", 5),
        ("a hundred and twenty minutes", 120),
        ("an hour's timer please", 60),
        ("set a timer for fifteen", 15),
        ("remind me to take my ibuprofen in six hours", 360),
        ("it's been two hours set a timer for 15 minutes", 15),
        ("set a timer for to minutes", 2),
        ("um set a timer for uh fifteen minutes", 15),
    ],
)
def test_minutes(slots: SlotRules, nlp: Language, text: str, minutes: int) -> None:
    assert slots(nlp(text))["minutes"] == minutes


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("a seven", 7),
        ("7 out of 10", 7),
        ("seven out of ten", 7),
        ("pain level eight", 8),
        ("my pain is zero", 0),
        ("about a six", 6),
        ("ten out of ten", 10),
        ("it's a 5/10", 5),
        ("it's a 5 / 10", 5),
        ("nine", 9),
        ("log my pain as a seven", 7),
        ("i'd rate it a five out of ten", 5),
        ("pain 3 out of 10 for the log", 3),
        ("between a six and a seven", 7),
        ("it was a seven now it's a five", 5),
        ("log pain as nought", 0),
        ("six and a half", 7),
        ("it's a full ten log that", 10),
        ("pain rating 4", 4),
        ("log my pain as for", 4),
        ("it's a six on a scale of one to ten", 6),
        ("my back's about a 4 today", 4),
        ("um a two", 2),
    ],
)
def test_pain_level(slots: SlotRules, nlp: Language, text: str, level: int) -> None:
    assert slots(nlp(text))["pain_level"] == level


@pytest.mark.parametrize(
    "text",
    [
        "eleven out of ten",
        "twelve",
        "it's a fifteen",
        "it's been going on for two hours",
        "set a timer for ten minutes",
        "take two ibuprofen",
        "should i call nine one one",
        "go back one step",
        "one more time",
        "my back hurts",
    ],
)
def test_no_pain_level(slots: SlotRules, nlp: Language, text: str) -> None:
    assert "pain_level" not in slots(nlp(text))


@pytest.mark.parametrize(
    ("text", "part"),
    [
        ("stretches for my lower back", "lower_back"),
        ("my low back is tight", "lower_back"),
        ("lumbar stretches", "lower_back"),
        ("my hip flexors are tight", "hip_flexors"),
        ("hip flexor stretch", "hip_flexors"),
        ("my hips are stiff", "hip_flexors"),
        ("calf cramp", "calf"),
        ("my calves hurt", "calf"),
        ("charley horse how do i stretch it out", "calf"),
        ("hamstring stretch", "hamstring"),
        ("tight hamstrings", "hamstring"),
        ("the back of my thigh is tight", "hamstring"),
        ("stretch for my hammy", "hamstring"),
        ("my neck is stiff", "neck"),
        ("the back of my neck hurts", "neck"),
        ("upper back pain", "upper_back"),
        ("my shoulders are tense", "upper_back"),
        ("stretches for neck and shoulders", "neck"),
    ],
)
def test_body_part(slots: SlotRules, nlp: Language, text: str, part: str) -> None:
    assert slots(nlp(text))["body_part"] == part


@pytest.mark.parametrize("text", ["my back hurts", "go back", "back stretches", "", "um"])
def test_no_body_part(slots: SlotRules, nlp: Language, text: str) -> None:
    assert "body_part" not in slots(nlp(text))


def test_all_slots_found_together(slots: SlotRules, nlp: Language) -> None:
    found = slots(nlp("log my pain as a seven in my lower back and remind me in 20 minutes"))
    assert found == {"minutes": 20, "pain_level": 7, "body_part": "lower_back"}


def test_nothing_found_is_an_empty_dict(slots: SlotRules, nlp: Language) -> None:
    assert slots(nlp("hello there")) == {}


def test_spoken_numbers_and_durations(nlp: Language) -> None:
    assert parse_number(["twenty", "five"], 0) == (25.0, 2)
    assert parse_number(["one", "and", "a", "half"], 0) == (1.5, 4)
    assert parse_number(["seven"], 1) is None
    words = spoken_words(nlp("it's been 13hrs and twenty-five minutes"))
    assert words == ["it", "'s", "been", "13", "hrs", "and", "twenty", "five", "minutes"]
    assert [(d.minutes, d.unit) for d in find_durations(words)] == [(780, "hour"), (25, "minute")]
