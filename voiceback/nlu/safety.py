"""Red-flag rules: which red-flag symptoms an utterance reports, whatever the classifier says.

Recall comes first: a report must never be missed, and a false alarm only costs advice
to call a doctor. So a symptom mention counts as reported unless a rule dismisses it:

* Negated: a cue (not, no, never, without, nor, neither, nothing, zero) to its left,
  reached across function, symptom and body words only ("haven't lost control of my
  bladder", "neither numb nor weak"); never across a clause boundary (but, and, so,
  because, though, however, except, if, what, ...), an unknown word ("i don't know why my
  leg is numb") or a new subject ("no pain my leg is numb"). An answer "no" ("no my leg is
  numb"), a double negative ("can't walk without my leg giving way") and "can't control
  my bladder" are reports. "bladder and bowels are fine" is negated.
* Hypothetical: if / whether / in case / suppose / "say ...", or might / may / could +
  get, lose, go ... reached the same way ("what if my leg goes numb"); not "i don't know
  if" or "as if"; "if i stand up my leg goes numb" stays a report.
* A general question or hearsay: a clause opening with a question word, or saying read /
  heard / told / worried, with nothing that puts it in the speaker now (I, me, my, this,
  still, now, "is it sciatica"): "can a spasm cause numbness" is dismissed; "is it serious
  my leg is numb" and "why would my leg go numb" are reports.
* Someone else's, or long ago: "my husband's leg went numb", "i had sciatica years ago",
  unless the speaker adds "too" / "also", or "it's back" / "again" / "still".

Weakness counts anywhere in the body ("my hands feel weak", "i feel weak"), not weak
core, back, painkillers or coffee. The 12-hour rule is in `safety_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from spacy.matcher import Matcher
from spacy.tokens import Doc
from spacy.vocab import Vocab

from voiceback.nlu import safety_hours
from voiceback.nlu import safety_words as w

KINDS = ("numbness", "weakness", "tingling", "radiating", "bladder", "bowel", "over_12_hours")
_AUX = w.words("am was be been would do not really just also have will might may could should")
_ASKING_MODALS = w.words("could can will would might may should")
_FUTURE = w.words("might may could will would")


@dataclass(frozen=True, slots=True)
class SafetyFinding:
    """Red-flag symptom kinds reported, and kinds only mentioned (negated, hypothetical)."""

    reported: tuple[str, ...] = ()
    dismissed: tuple[str, ...] = ()

    @property
    def is_report(self) -> bool:
        return bool(self.reported)


class _Mention(NamedTuple):
    kind: str
    start: int
    end: int


class _Text:
    """The normalized words of one utterance and the clause (start, end) of each word."""

    def __init__(self, words: list[str]) -> None:
        self.words = words
        self.clause = _clauses(words)

    def at(self, i: int) -> str:
        return self.words[i] if 0 <= i < len(self.words) else ""

    def clause_words(self, i: int) -> list[str]:
        start, end = self.clause[i]
        return self.words[start:end]


class SafetyRules:
    """Callable: a tokenized utterance (spaCy's English tokenizer) -> SafetyFinding."""

    def __init__(self, vocab: Vocab) -> None:
        self._vocab = vocab
        # One small Matcher per pattern, run only when every word it needs is present:
        # spaCy evaluates IN/NOT_IN predicates in Python for every token, so one Matcher
        # holding all patterns costs ~300 us an utterance; this costs ~80 us.
        self._patterns: list[tuple[str, list[frozenset[str]], Matcher]] = []
        for kind, spec in w.PATTERNS:
            matcher = Matcher(vocab)
            matcher.add(kind, [w.compile_pattern(spec)])
            self._patterns.append((kind, w.required_words(spec), matcher))

    def __call__(self, doc: Doc) -> SafetyFinding:
        text = _Text(w.lemmas(doc))
        if not text.words:
            return SafetyFinding()
        durations = safety_hours.long_durations(text.words)
        mentions = self._symptoms(text) + [_Mention("over_12_hours", *d) for d in durations]
        reported = {m.kind for m in mentions if _is_reported(text, m)}
        dismissed = {m.kind for m in mentions} - reported
        return SafetyFinding(
            tuple(k for k in KINDS if k in reported), tuple(k for k in KINDS if k in dismissed)
        )

    def _symptoms(self, text: _Text) -> list[_Mention]:
        present = set(text.words)
        doc: Doc | None = None
        found = []
        for kind, required, matcher in self._patterns:
            if any(present.isdisjoint(alternatives) for alternatives in required):
                continue
            if doc is None:
                doc = Doc(self._vocab, words=text.words)
            if kind == "toilet":
                kind = "bladder" if present.isdisjoint(w.BOWEL_WORDS) else "bowel"
            for _, start, end in matcher(doc):
                if not _excluded(text, kind, start):
                    found.append(_Mention(kind, start, end))
        return found


def _clauses(words: list[str]) -> list[tuple[int, int]]:
    """(start, end) of the clause around each word; a separator is a clause of its own."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for i in range(len(words) + 1):
        word = words[i] if i < len(words) else ""
        nxt = words[i + 1] if i + 1 < len(words) else ""
        separator = word in w.SEPARATORS or (word in w.NO_ANSWER and nxt in w.ANSWER_NEXT)
        if i == len(words) or separator or (word in w.BEFORE and i > start):
            bounds += [(start, i)] * (i - start)
            if separator:
                bounds.append((i, i))
            start = i + 1 if separator else i
    return bounds


def _excluded(text: _Text, kind: str, i: int) -> bool:
    """Words that look like a symptom but aren't: "ice numbs the pain", "weak coffee"."""
    prev, nxt = text.at(i - 1), text.at(i + 1)
    if kind == "numbness" and text.words[i] == "numb":
        numbs_pain = nxt in ("it", "the", "that", "pain", "things")
        medicine = nxt in ("cream", "gel", "spray", "injection")
        return medicine or (numbs_pain and prev in ("to", "ice", "cold", "help", "will"))
    if kind == "weakness" and text.words[i] == "weak":
        return not w.NOT_WEAK.isdisjoint(text.words[max(0, i - 3) : i + 2])
    return False


def _is_reported(text: _Text, m: _Mention) -> bool:
    if m.kind == "over_12_hours":
        clause = text.clause[m.start]
        if _left_cue(text, m, w.DURATION_GAP) or safety_hours.dismissed(text.words, clause):
            return False
    elif _left_cue(text, m, w.CUE_GAP) or _fine(text, m) or _general(text, m):
        return False
    return not (_someone_else(text, m) or _long_ago(text, m))


# --- negation and hypotheticals --------------------------------------------------------


def _left_cue(text: _Text, m: _Mention, gap: frozenset[str]) -> bool:
    """A negation or hypothetical cue reached leftwards across gap words only."""
    clause_start, _ = text.clause[m.start]
    opener = w.opener(text.words, clause_start, m.start)
    for j in range(m.start - 1, clause_start - 1, -1):
        word, prev = text.words[j], text.at(j - 1) if j > clause_start else ""
        if word in w.NEG and not (_cannot_control(text, m, j) or _double_negative(text, j)):
            return True
        if word in w.HYP_CUES and text.at(j - 1) not in w.UNCERTAIN:
            return True
        if word in w.MODALS and not w.EVENTS.isdisjoint(text.words[j + 1 : j + 4]):
            return True
        if word == "say" and j == opener:
            return True
        new_subject = word in w.SUBJECTS and prev and prev not in w.FUNCTION_WORDS
        if (word not in gap and word not in w.NEG) or new_subject:
            return False
    return False


def _cannot_control(text: _Text, m: _Mention, cue: int) -> bool:
    """ "i can't control my bladder", "didn't feel my bowels go": the negation is the report."""
    if m.kind not in ("bladder", "bowel"):
        return False
    between = set(text.words[cue + 1 : m.start])
    return not (between | {text.at(m.end)}).isdisjoint(w.CONTROL) and between.isdisjoint(w.LOSS)


def _double_negative(text: _Text, cue: int) -> bool:
    """ "i can't walk without my leg giving way", "i haven't got no feeling": a report."""
    start, end = text.clause[cue]
    for side in (range(cue - 1, max(cue - 4, start - 1), -1), range(cue + 1, min(cue + 4, end))):
        for j in side:
            if text.words[j] in w.NEG:
                return True
            if text.words[j] not in w.DOUBLE_GAP:
                break
    return False


def _fine(text: _Text, m: _Mention) -> bool:
    """ "bladder and bowels are fine", "bowels normal", "i can control my bladder"."""
    if m.kind not in ("bladder", "bowel"):
        return False
    start = text.clause[m.start][0]
    before = text.words[start : m.start]
    if w.NEG.isdisjoint(before) and any(
        word in ("control", "hold") and text.at(i - 1) in w.ABLE
        for i, word in enumerate(before, start)
    ):
        return True
    copula = False
    for i, word in enumerate(text.words[m.end :]):
        if word in w.FINE:
            return copula or i == 0
        copula = copula or word in w.COPULA
        if word not in w.FINE_GAP:
            return False
    return False


# --- whose symptom, and when -----------------------------------------------------------


def _general(text: _Text, m: _Mention) -> bool:
    """A general question or hearsay, with nothing saying the speaker has it now."""
    start, end = text.clause[m.start]
    if text.words[start] in ("if", "whether") and text.at(start - 1) in w.UNCERTAIN:
        start = text.clause[start - 1][0]  # "how do you know if you have sciatica"
    opener = text.words[w.opener(text.words, start, end)]
    framed = opener in w.QWORDS or not w.FRAMING.isdisjoint(text.words[start:end])
    return framed and not _present(text, m, start)


def _someone_else(text: _Text, m: _Mention) -> bool:
    """About a friend, a husband, her: and the speaker doesn't say "me too"."""
    about_other = not w.THIRD.isdisjoint(text.clause_words(m.start))
    start = text.clause[m.start][0]
    return about_other and not _present(text, m, start) and w.TOO.isdisjoint(text.words)


def _long_ago(text: _Text, m: _Mention) -> bool:
    """ "i had sciatica years ago": over, unless it's "back" / "again" / "still" now."""
    start, end = text.clause[m.start]
    remote = any(
        (text.words[i] == "ago" and text.at(i - 1) in ("years", "months", "year", "month"))
        or (text.words[i] == "last" and text.at(i + 1) in ("year", "month"))
        for i in range(start, end)
    )
    back = any(
        word == "back" and text.at(i - 1) in ("is", "'s", "came", "come", "it", "coming")
        for i, word in enumerate(text.words)
    )
    return remote and not back and w.RECURRING.isdisjoint(text.words)


def _present(text: _Text, m: _Mention, start: int) -> bool:
    """Any sign in the clause that the speaker has it now: I, my, me, this, still, now."""
    for i in range(start, text.clause[m.start][1]):
        word, prev, nxt = text.words[i], text.at(i - 1), text.at(i + 1)
        if word in w.PRESENCE or (m.kind == "over_12_hours" and word in w.ONGOING):
            return True
        if word == "my" and nxt not in w.PERSONS and text.at(i + 2) not in w.PERSONS:
            return True
        if (word == "me" and prev not in w.NOT_ME) or (word == "i" and _i_have_it(text, i)):
            return True
        between = text.words[i + 1 : m.start]
        deictic = word in ("this", "these", "it") and i < m.start and len(between) <= 2
        if deictic and all(b in w.IS_IT for b in between):
            return True  # "is this sciatica", "could it be sciatica"
    return False


def _i_have_it(text: _Text, i: int) -> bool:
    """ "i have", "i'm"; not "i read", "i wonder", "i'm worried", "could i get", "i might lose"."""
    j = i + 1
    while text.at(j) in _AUX:
        j += 1
    modal = text.at(i - 1) in _ASKING_MODALS or not _FUTURE.isdisjoint(text.words[i + 1 : j])
    return not (text.at(j) in w.NONPRESENCE or (modal and text.at(j) in w.EVENTS))
