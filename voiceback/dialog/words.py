"""Small text helpers for the dialog: spoken durations and clock times, medicine mentions."""

from __future__ import annotations

import math
import re
import time

NUMBERS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "a couple of": 2,
    "couple of": 2,
}
MEDICINES = {
    "ibuprofen": "ibuprofen",
    "advil": "ibuprofen",
    "motrin": "ibuprofen",
    "nurofen": "ibuprofen",
    "naproxen": "naproxen",
    "aleve": "naproxen",
    "celebrex": "celebrex",
    "acetaminophen": "acetaminophen",
    "tylenol": "acetaminophen",
    "paracetamol": "paracetamol",
    "diazepam": "diazepam",
    "valium": "diazepam",
    "aspirin": "aspirin",
    "codeine": "codeine",
    "muscle relaxant": "muscle relaxant",
    "muscle relaxants": "muscle relaxant",
    "painkiller": "painkiller",
    "painkillers": "painkiller",
    "pain killer": "painkiller",
    "pain killers": "painkiller",
}
"""Spoken names (brands included) -> the name logged. Facts only, no doses."""
_MED = re.compile(r"\b(" + "|".join(sorted(map(re.escape, MEDICINES), key=len)[::-1]) + r")\b")
_AMOUNT = re.compile(r"\b(\d+|" + "|".join(sorted(NUMBERS, key=len)[::-1]) + r")\s+(?:\w+\s+)?$")


def medicine_in(text: str) -> tuple[str, str]:
    """(name, amount) from "i took two ibuprofen": ("ibuprofen", "2"); ("", "") if none."""
    lowered = text.lower()
    found = _MED.search(lowered)
    if found is None:
        return "", ""
    name = MEDICINES[found.group(1)]
    before = lowered[: found.start()]
    amount = _AMOUNT.search(before)
    if amount is None:
        return name, ""
    value = amount.group(1)
    return name, value if value.isdigit() else str(NUMBERS[value])


def span(seconds: float, round_up: bool = False) -> str:
    """A spoken duration: "less than a minute", "12 minutes", "1 hour and 5 minutes".
    Whole minutes, rounded down (time gone by) or up (time left)."""
    seconds = max(0.0, seconds)
    minutes = math.ceil(seconds / 60 - 1e-9) if round_up else int(seconds // 60)
    if minutes < 1:
        return "less than a minute"
    hours, minutes = divmod(minutes, 60)
    days, hours = divmod(hours, 24)
    parts = [
        f"{n} {unit}{'s' if n != 1 else ''}"
        for n, unit in ((days, "day"), (hours, "hour"), (minutes, "minute"))
        if n
    ]
    return " and ".join(parts[:2])


def clock(at_s: float) -> str:
    """A local clock time to say: "14:05"."""
    return time.strftime("%H:%M", time.localtime(at_s))


NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
)  # fmt: skip
"""Zero to nineteen, in words: read in what is said, and said in counts."""
_UNITS = {w: i for i, w in enumerate(NUMBER_WORDS)}
_TENS = {w: 20 + 10 * i for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty"])}


def number_in(text: str) -> int | None:
    """The first whole number said, in digits or words ("twenty five" -> 25), else None."""
    words = text.lower().replace("-", " ").split()
    for i, word in enumerate(words):
        if word.isdigit():
            return int(word)
        if word in _TENS:
            after = words[i + 1] if i + 1 < len(words) else ""
            return _TENS[word] + (_UNITS[after] if after in _UNITS and _UNITS[after] < 10 else 0)
        if word in _UNITS:
            return _UNITS[word]
        if word in ("a", "an") and i + 1 < len(words) and words[i + 1] in ("quarter",):
            return 15
    return None
