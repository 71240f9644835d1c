"""Direction rules for the paired controls, on a real spaCy tokenizer."""

from __future__ import annotations

import pytest
import spacy

from voiceback.nlu.direction import DirectionRules

NLP = spacy.blank("en")
RULES = DirectionRules(NLP.make_doc)


@pytest.mark.parametrize(
    ("text", "guess", "expected"),
    [
        ("too slow", "slower", "faster"),
        ("you're talking way too slowly", "slower", "faster"),
        ("slow down please", "faster", "slower"),
        ("not so fast", "faster", "slower"),
        ("not so slowly", "slower", "faster"),
        ("speak more slowly", "faster", "slower"),
        ("you're a bit quick for me", "faster", "slower"),
        ("i can't hear you", "quieter", "louder"),
        ("that's too quiet", "quieter", "louder"),
        ("it's far too loud", "louder", "quieter"),
        ("turn it down", "louder", "quieter"),
        ("stop whispering", "quieter", "louder"),
    ],
)
def test_words_decide_the_direction(text: str, guess: str, expected: str) -> None:
    assert RULES.decide(NLP.make_doc(text), guess) == expected


@pytest.mark.parametrize(
    ("text", "guess"),
    [
        ("please", "slower"),  # no direction words: the classifier's choice stands
        ("how fast does a spasm go away", "duration"),  # not a paired control
        ("louder", "slower"),  # a word of the other pair doesn't flip speed
    ],
)
def test_otherwise_the_classifier_decides(text: str, guess: str) -> None:
    assert RULES.decide(NLP.make_doc(text), guess) == guess
