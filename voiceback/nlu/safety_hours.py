"""The 12-hour rule: which stated durations make a spasm or pain a red flag.

"over_12_hours" is a stated duration of 12 hours or more (12 counts, as the advice is to
call "after 12 hours"; eleven does not), any number of days, "since yesterday / last
night / monday", "all night and all day", "day three", "this morning ... midnight". Not
"in two days", "first two days", "twice a day", "up to", "less than a day", nor a question
or advice with nothing ongoing ("should i rest for two days", "will it last two days").
"since this morning", "all night" and "for hours" alone can't be told apart from a short
spasm and are not reports. Negation ("it hasn't been 12 hours") is the caller's.
"""

from __future__ import annotations

from voiceback.nlu import safety_words as w
from voiceback.nlu.slots import Duration, find_durations

_TWELVE_HOURS_MIN = 12 * 60
_WEEKDAYS = w.words("monday tuesday wednesday thursday friday saturday sunday weekend")
_AFTER_SINCE = _WEEKDAYS | w.words("yesterday day")
_AFTER_LAST = _WEEKDAYS | w.words("night week day")
_ORDINAL_DAYS = w.words("second third fourth fifth sixth 2nd 3rd 4th 5th")
_DAY_NUMBERS = w.words("two three four five six seven 2 3 4 5 6 7")
_CONDITIONAL = w.words("if unless suppose supposing")
_ADVICE = w.words("should will would could can might may must need gon")
_NOT_SO_FAR = w.words("in within every per each first next another under once twice thrice times x")
_EVENING = w.words("midnight tonight evening bedtime")


def long_durations(words: list[str]) -> list[tuple[int, int]]:
    """Spans saying the pain has lasted 12 hours or more (before negation and the rest)."""
    ongoing = is_ongoing(words)
    found = [(d.start, d.end) for d in find_durations(words) if _long(words, d, ongoing)]
    found += [(i, i + 1) for i in range(len(words)) if _anchor(words, i, ongoing)]
    return found


def _at(words: list[str], i: int) -> str:
    return words[i] if 0 <= i < len(words) else ""


def _long(words: list[str], d: Duration, ongoing: bool) -> bool:
    """ "fourteen hours", "over a day"; not "in two days", "twice a day", "up to a week"."""
    prev, before = _at(words, d.start - 1), (_at(words, d.start - 2), _at(words, d.start - 1))
    if d.minutes < _TWELVE_HOURS_MIN or prev in _NOT_SO_FAR:
        return False
    if before in (("less", "than"), ("fewer", "than"), ("up", "to")):
        return False
    if _at(words, d.end) == "ago" or prev == "after":
        return ongoing  # "started two days ago", "still bad after 14 hours"
    return True


def _anchor(words: list[str], i: int, ongoing: bool) -> bool:
    """ "since yesterday", "started last night", "all night and all day", "day three"."""
    word, nxt = words[i], _at(words, i + 1)
    if word == "since":  # "since last night", not "since my last tablets"
        return any(
            x in _AFTER_SINCE or (x == "last" and _at(words, j + 1) in _AFTER_LAST)
            for j, x in enumerate(words[i + 1 : i + 4], start=i + 1)
        )
    if word in _WEEKDAYS or word == "yesterday" or (word == "last" and nxt in ("night", "week")):
        return ongoing
    if word in ("days", "weeks", "months"):
        return _at(words, i - 1) in ("for", "been", "past", "last", "all")
    if word == "morning" and _at(words, i - 1) == "this":
        return not _EVENING.isdisjoint(words[i:])
    ordinal = word in _ORDINAL_DAYS and nxt == "day"
    return word == "daynight" or ordinal or (word == "day" and nxt in _DAY_NUMBERS)


def dismissed(words: list[str], clause: tuple[int, int]) -> bool:
    """In an if/when clause, or a question or advice with nothing ongoing."""
    start, end = clause
    first = w.opener(words, start, end)
    if words[first] in _CONDITIONAL and _at(words, first - 1) not in w.UNCERTAIN:
        return True
    framed = words[first] in w.QWORDS or not _ADVICE.isdisjoint(words[start:end])
    return framed and not is_ongoing(words)


def is_ongoing(words: list[str]) -> bool:
    """ "been", "since", "still", "lasted" ... but not "stay still"."""
    return any(
        word in w.ONGOING and not (word == "still" and i and words[i - 1] in w.STAY)
        for i, word in enumerate(words)
    )
