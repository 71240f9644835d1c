"""Direction rules for the paired controls: slower/faster and louder/quieter.

A bag-of-n-grams classifier tells "speed" from "volume" well but confuses the two
directions: "too slow" means faster and "slow down" means slower, and both share the
word "slow". Once the classifier has picked one of a pair, these PhraseMatcher rules
decide the direction; the longest matching phrase wins ("too slow" beats "slow"), and
a tie leaves the classifier's choice.
"""

from __future__ import annotations

from collections.abc import Callable

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

PAIRS = {"slower": "faster", "faster": "slower", "louder": "quieter", "quieter": "louder"}

PHRASES: dict[str, tuple[str, ...]] = {
    "slower": (
        "slow",
        "slower",
        "slowly",
        "slow down",
        "slow it down",
        "too fast",
        "too quick",
        "too quickly",
        "so fast",
        "so quick",
        "so quickly",
        "rushing",
        "rush",
        "less speed",
        "decrease the speed",
        "reduce the speed",
        "speed down",
        "can't keep up",
        "more slowly",
        "not so fast",
        "not so quickly",
        "not as fast",
        "ease off",
    ),
    "faster": (
        "fast",
        "faster",
        "quick",
        "quicker",
        "quickly",
        "speed up",
        "hurry",
        "hurry up",
        "too slow",
        "too slowly",
        "so slow",
        "so slowly",
        "really slowly",
        "dragging",
        "more quickly",
        "increase the speed",
        "turn the speed up",
        "pick up the pace",
        "not so slow",
        "not so slowly",
        "less slow",
        "get a move on",
    ),
    "louder": (
        "loud",
        "louder",
        "speak up",
        "turn it up",
        "turn up",
        "volume up",
        "more volume",
        "too quiet",
        "too soft",
        "too low",
        "so quiet",
        "too faint",
        "can't hear",
        "cannot hear",
        "can barely hear",
        "hard to hear",
        "whisper",
        "whispering",
        "mumbling",
        "increase the volume",
        "raise the volume",
    ),
    "quieter": (
        "quiet",
        "quieter",
        "softer",
        "softly",
        "turn it down",
        "turn down",
        "volume down",
        "less volume",
        "too loud",
        "so loud",
        "too noisy",
        "shouting",
        "lower the volume",
        "decrease the volume",
        "reduce the volume",
        "not so loud",
        "less loud",
        "hurting my ears",
    ),
}


INTENSIFIERS = ("too", "so", "very", "really", "a bit", "bit", "a little", "that", "quite", "way")
STATES = {
    "slower": ("fast", "quick", "quickly"),
    "faster": ("slow", "slowly"),
    "louder": ("quiet", "soft", "faint", "low"),
    "quieter": ("loud", "noisy"),
}
"""What is wrong now: "very fast" asks for slower, "a bit quiet" for louder."""


def _phrases(label: str) -> tuple[str, ...]:
    states = STATES[label]
    graded = tuple(f"{i} {s}" for i in INTENSIFIERS for s in states)
    lessened = tuple(f"less {s}" for s in STATES[PAIRS[label]])
    return PHRASES[label] + graded + lessened


class DirectionRules:
    def __init__(self, make_doc: Callable[[str], Doc]) -> None:
        vocab = make_doc("").vocab
        self._matcher = PhraseMatcher(vocab, attr="LOWER")
        for label in PHRASES:
            self._matcher.add(label, [make_doc(p) for p in set(_phrases(label))])
        self._names = {vocab.strings[label]: label for label in PHRASES}

    def decide(self, doc: Doc, intent: str) -> str:
        """The direction the words say, for an intent of a pair; otherwise `intent`."""
        if intent not in PAIRS:
            return intent
        allowed = {intent, PAIRS[intent]}
        best: dict[str, int] = {}
        for match_id, start, end in self._matcher(doc):
            label = self._names[match_id]
            if label in allowed:
                best[label] = max(best.get(label, 0), end - start)
        if not best:
            return intent
        ranked = sorted(best.items(), key=lambda kv: kv[1], reverse=True)
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            return intent
        return ranked[0][0]
