"""Slot rules: minutes, pain level (0-10) and body part, from recognizer-style text.

Input is lowercase, unpunctuated, with numbers as words or digits ("twenty five",
"25", "13 hrs", "7/10"). This module also owns reading spoken numbers and durations
(`spoken_words`, `find_durations`), which the safety rules reuse for the 12-hour rule.

Decisions: seconds round up to whole minutes ("90 seconds" -> 2, "30 seconds" -> 1);
the minutes slot is the first duration next to in / for / timer, else the first one;
a bare number counts as minutes only with a timer word ("set a timer for fifteen");
a few recognizer slips are read as numbers where a number must be ("for to minutes",
"log my pain as for"); a pain level must be 0..10
(out of range -> no slot, never clamped); "X out of ten" wins over other numbers,
otherwise the last candidate wins ("it was a seven now it's a five" -> 5, "between a
six and a seven" -> 7); halves round up ("six and a half" -> 7); a plain "back" is not
a body part (the caller defaults to lower back).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.vocab import Vocab


def _split(text: str) -> list[str]:
    return text.split()


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_CONTRACTIONS = {
    "n't": "not",
    "nt": "not",
    "ca": "can",
    "wo": "will",
    "'ve": "have",
    "ve": "have",
    "'re": "are",
    "'ll": "will",
    "'m": "am",
    "'d": "would",
}
_UNIT_WORDS = {
    "second": "second seconds sec secs s",
    "minute": "minute minutes min mins m",
    "hour": "hour hours hr hrs h",
    "day": "day days",
    "night": "night nights",
    "week": "week weeks",
    "month": "month months",
    "year": "year years",
}
UNIT_MINUTES = {
    "second": 1 / 60,
    "minute": 1,
    "hour": 60,
    "day": 1440,
    "night": 600,
    "week": 10080,
    "month": 43200,
    "year": 525600,
}
_UNIT = {form: unit for unit, forms in _UNIT_WORDS.items() for form in forms.split()}
_SMALL = _split(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
)
_TENS = _split("twenty thirty forty fifty sixty seventy eighty ninety")
NUMBER_WORDS = {w: i for i, w in enumerate(_SMALL)} | {w: 20 + 10 * i for i, w in enumerate(_TENS)}
NUMBER_WORDS |= {"nought": 0, "nil": 0, "fourty": 40, "dozen": 12}
_VAGUE = {"couple": 2, "few": 3, "several": 3}
_GLUED = re.compile(r"^(\d+(?:\.\d+)?)([a-z]+)$")
_FILLERS = {"whole", "full", "good", "solid", "straight", "entire", "long", "more"}


def spoken_words(doc: Doc) -> list[str]:
    """Lowercase words with contractions expanded, "13hrs" split, and "-" dropped."""
    words: list[str] = []
    for token in doc:
        text = token.lower_
        glued = _GLUED.match(text)
        if glued and glued.group(2) in _UNIT:
            words += [glued.group(1), glued.group(2)]
        elif text == "m" and words and words[-1] == "i":
            words.append("am")
        elif text != "-":
            words.append(_CONTRACTIONS.get(text, text))
    return words


def unit_of(word: str) -> str | None:
    """The time unit a word names ("hrs" -> "hour"), if any."""
    return _UNIT.get(word)


def parse_number(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """A spoken or written number starting at words[i]: (value, index after it)."""
    if i >= len(words):
        return None
    word = words[i]
    if re.fullmatch(r"\d+(\.\d+)?", word):
        value, end = float(word), i + 1
    elif word in NUMBER_WORDS or (word in ("a", "an") and words[i + 1 : i + 2] == ["hundred"]):
        value, end = float(NUMBER_WORDS.get(word, 1)), i + 1
        if word in _TENS and end < len(words) and 0 < NUMBER_WORDS.get(words[end], 0) < 10:
            value, end = value + NUMBER_WORDS[words[end]], end + 1
    else:
        return None
    if words[end : end + 1] == ["hundred"]:  # "a hundred and twenty"
        rest = parse_number(words, end + 1 + (words[end + 1 : end + 2] == ["and"]))
        value, end = (value * 100 + rest[0], rest[1]) if rest else (value * 100, end + 1)
    return _plus_fraction(words, value, end)


def _plus_fraction(words: Sequence[str], value: float, end: int) -> tuple[float, int]:
    """ "... and a half" / "... and a quarter" after a number or a unit."""
    tail = tuple(words[end : end + 3])
    if tail in (("and", "a", "half"), ("and", "a", "quarter")):
        return value + (0.5 if tail[2] == "half" else 0.25), end + 3
    return value, end


@dataclass(frozen=True, slots=True)
class Duration:
    """A stated length of time: words[start:end] says `minutes` minutes."""

    start: int
    end: int
    minutes: float
    unit: str


def _amount(words: Sequence[str], i: int) -> tuple[float, int] | None:
    """The amount before a unit: a number, "a"/"an", "a couple of", "three quarters of an"."""
    word, nxt = words[i], words[i + 1] if i + 1 < len(words) else ""
    if word in ("a", "an") and nxt != "hundred":
        if nxt in _VAGUE or nxt in ("half", "quarter"):
            return _amount(words, i + 1)
        return (1.0, i + 1) if nxt in _UNIT or nxt in _FILLERS else None
    if word in _VAGUE:
        return float(_VAGUE[word]), i + 1 + (words[i + 1 : i + 2] == ["of"])
    slip = word in ("to", "too") or (word == "for" and i and words[i - 1] in ("for", "in"))
    if slip and _UNIT.get(words[i + 1] if i + 1 < len(words) else "") in ("minute", "hour"):
        return float(_SLIPS[word]), i + 1  # "a timer for to minutes"
    count, number = 1.0, parse_number(words, i)
    if number and words[number[1] : number[1] + 1] in (["half"], ["quarter"], ["quarters"]):
        count, i = number[0], number[1]
        word = words[i]
    if word in ("half", "quarter", "quarters"):
        end = i + 1 + (words[i + 1 : i + 2] == ["of"])
        end += words[end : end + 1] in (["a"], ["an"])
        return count * (0.5 if word == "half" else 0.25), end
    return number


def _duration_at(words: Sequence[str], i: int) -> Duration | None:
    amount = _amount(words, i)
    if amount is None:
        return None
    value, j = amount
    while j < len(words) and words[j] in _FILLERS:
        j += 1
    if j >= len(words) or words[j] not in _UNIT:
        return None
    if words[j] in ("m", "s", "h") and not re.fullmatch(r"[\d.]+", words[i]):
        return None
    unit = _UNIT[words[j]]
    value, end = _plus_fraction(words, value, j + 1)
    return Duration(i, end, value * UNIT_MINUTES[unit], unit)


def find_durations(words: Sequence[str]) -> list[Duration]:
    """Every "number + unit" duration, left to right, without overlaps."""
    found: list[Duration] = []
    i = 0
    while i < len(words):
        duration = _duration_at(words, i)
        if duration:
            found.append(duration)
            i = duration.end
        else:
            i += 1
    return found


# --- slots -----------------------------------------------------------------------------

_BODY_PARTS = {
    "lower_back": "lower back|low back|lumbar|lower spine|bottom of the back|base of the spine|"
    "small of the back|lower part of the back|tailbone",
    "hip_flexors": "hip flexor|hip|psoas|iliopsoas|front of the hip",
    "calf": "calf|charley horse|charlie horse",
    "hamstring": "hamstring|hammy|hammies|back of the thigh|back of the leg|back of the upper leg|"
    "behind the thigh|behind the knee",
    "neck": "neck",
    "upper_back": "upper back|shoulder|top of the back|upper spine|trapezius|trap|mid back|"
    "middle back|middle of the back",
}
_BODY_FORMS = dict(
    pair.split(":")
    for pair in _split(
        "calves:calf hips:hip shoulders:shoulder flexors:flexor hamstrings:hamstring "
        "thighs:thigh legs:leg traps:trap backs:back my:the your:the his:the her:the"
    )
)
_TIMER_WORDS = _words("timer remind reminder alarm countdown time buzz wake")
_TIMER_NEAR = _TIMER_WORDS | _words("in for of after me set another")
_PAIN_BEFORE = _words(
    "a an at as is 's about around like level score rating rated pain to of maybe log record "
    "note diary entry down it rate say give put mark save enter was be roughly probably nearly "
    "almost reckon uh um er now full"
)
_PAIN_AFTER = _words(
    "out over today now right tonight this i please for log and or at barely no maybe ish "
    "currently thanks thank so then but pain on to yesterday in"
) | {""}
_OUT_OF_TEN = (["out", "of", "ten"], ["out", "of", "10"], ["over", "ten"], ["/", "10"])
_SCALE = (["one", "to", "ten"], ["zero", "to", "ten"], ["1", "to", "10"], ["0", "to", "10"])
_SLIPS = {"to": 2, "too": 2, "for": 4, "ate": 8, "won": 1}
"""Recognizer slips for numbers, read only where a number must be ("as for" -> 4)."""


class SlotRules:
    """Callable: a tokenized utterance -> any of minutes, pain_level, body_part."""

    def __init__(self, vocab: Vocab) -> None:
        self._vocab = vocab
        self._parts = PhraseMatcher(vocab, attr="LOWER")
        for part, phrases in _BODY_PARTS.items():
            self._parts.add(part, [Doc(vocab, words=p.split()) for p in phrases.split("|")])

    def __call__(self, doc: Doc) -> dict[str, int | str]:
        words = spoken_words(doc)
        slots: dict[str, int | str] = {}
        used: set[int] = set()
        minutes = _minutes(words, used)
        if minutes is not None:
            slots["minutes"] = minutes
        level = _pain_level(words, used)
        if level is not None:
            slots["pain_level"] = level
        part = self._body_part(words)
        if part:
            slots["body_part"] = part
        return slots

    def _body_part(self, words: list[str]) -> str | None:
        normal = [_BODY_FORMS.get(word, word) for word in words]
        if not normal:
            return None
        matches = self._parts(Doc(self._vocab, words=normal))
        if not matches:
            return None
        start = min(m[1] for m in matches)
        longest = max((m for m in matches if m[1] == start), key=lambda m: m[2])
        return self._vocab.strings[longest[0]]


def _minutes(words: list[str], used: set[int]) -> int | None:
    """The timer length: a duration next to in/for/timer, else the first; else "for ten"."""
    durations = find_durations(words)
    if durations:
        near = [
            d
            for d in durations
            if (words[d.start - 1] if d.start else "") in _TIMER_NEAR
            or (words[d.end] if d.end < len(words) else "") in _TIMER_WORDS
        ]
        chosen = (near or durations)[0]
        for d in durations:
            used.update(range(d.start, d.end))
        return max(1, math.ceil(round(chosen.minutes, 6)))
    if not _TIMER_WORDS.intersection(words):
        return None
    for i, word in enumerate(words[:-1]):
        number = parse_number(words, i + 1)
        if word in ("for", "in") and number and number[0] >= 1:
            used.update(range(i + 1, number[1]))
            return math.ceil(number[0])
    return None


def _pain_level(words: list[str], used: set[int]) -> int | None:
    """ "seven out of ten" first; else the last 0-10 number said like a pain score."""
    candidates: list[float] = []
    for i in range(len(words)):
        if words[i : i + 3] in _SCALE:
            used.update(range(i, i + 3))  # "on a scale of one to ten"
    if len(words) > 1 and words[-1] in _SLIPS and words[-2] in _PAIN_BEFORE - {"to", "of"}:
        used.add(len(words) - 1)
        candidates.append(_SLIPS[words[-1]])  # "log my pain as for"
    i = 0
    while i < len(words):
        slash = re.fullmatch(r"(\d+(?:\.\d+)?)/10", words[i])
        if slash:
            return _level(float(slash.group(1)))
        number = parse_number(words, i) if i not in used else None
        if number is None:
            i += 1
            continue
        value, end = number
        if any(words[end : end + len(tail)] == tail for tail in _OUT_OF_TEN):
            return _level(value)
        if _said_as_score(words, i, end):
            candidates.append(value)
        i = end
    return _level(candidates[-1]) if candidates else None


def _said_as_score(words: list[str], i: int, end: int) -> bool:
    prev = words[i - 1] if i else ""
    nxt = words[end] if end < len(words) else ""
    if parse_number(words, end) or (prev and parse_number(words, i - 1)):
        return False  # "nine one one"
    return (not prev or prev in _PAIN_BEFORE) and nxt in _PAIN_AFTER and nxt not in _UNIT


def _level(value: float) -> int | None:
    level = math.floor(value + 0.5)
    return level if 0 <= level <= 10 else None
