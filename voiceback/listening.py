"""Listening: audio chunks -> endpointed utterances -> transcripts, with timings.

The endpointer finds where speech starts and ends; the recognizer streams the
utterance as it comes. While speech goes on, the partial transcript is checked every
`check_every_s`: once it already reads as a complete, confident request, or it has
stopped changing and does not end mid-phrase ("my leg is ..."), the endpointer waits
only `quick_hangover_s` of silence; otherwise its default, so a slow speaker who
pauses mid-sentence is not cut off. Steady noise is taken out first (`audio/denoise.py`).

When the conversation expects a small answer ("yes" or "no", a number), `expect` puts
the recognizer on a grammar of those answers and the controls for the next utterance;
`reread` decodes the same audio again with the language model, so that what falls
outside the grammar (a red flag above all) is still heard (`choose_reading`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace

from voiceback.audio import Endpointer, SpeechEnded, SpeechStarted
from voiceback.audio.denoise import NoiseSuppressor
from voiceback.stt import Recognizer
from voiceback.types import SAMPLE_RATE_HZ, AudioChunk, InputError, Transcript, Understanding

log = logging.getLogger(__name__)

COMPLETE_CONFIDENCE = 0.8
"""A partial transcript the classifier is this sure of counts as a complete request."""
SURE_LAST_WORD = 0.9
"""Word confidence for a second opinion's last word to count as surely heard."""
FIRST_READING_BONUS = 0.3
"""An alternative hypothesis wins over the recognizer's best one only if understood this
much more confidently: in noise the alternatives are often confidently wrong ("could you
turn the sound down" for "... up"). Pink 10 dB, Piper, the same 180 transcripts: 0.711
with no bonus, 0.733 with 0.3."""
GRAMMAR_MIN_CONFIDENCE = 0.5
"""A grammar reading less sure than this gives way to the language model's."""
UNSURE_HEARING = 0.5
SURE_READING = 0.75
"""A language-model reading the recognizer was unsure of (confidence below
UNSURE_HEARING) is acted on only if understood at SURE_READING or more; otherwise it is
asked again (`doubt`). 180 Piper checks (answered right / answered wrong, the rest asked
again), clean 157/12 -> 156/9, pink 10 dB 120/20 -> 113/14, 5 dB 72/40 -> 66/25."""

_CONTROLS = (
    "stop", "stop talking", "pause", "wait", "hold on", "go on", "carry on", "repeat that",
    "say that again", "slower", "faster", "louder", "quieter", "help", "next", "go back",
    "cancel", "never mind", "thank you",
)  # fmt: skip
_NUMBERS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty"
)
_NUMBER_WORDS = [
    *_NUMBERS.split(),
    "twenty five",
    "thirty",
    "forty",
    "forty five",
    "sixty",
]
EXPECTED_PHRASES: dict[str, tuple[str, ...]] = {
    "yes_no": (
        "yes", "yes please", "yeah", "yep", "sure", "okay", "i do", "i have", "it is",
        "no", "no thanks", "nope", "i don't", "i haven't", "it isn't", "not really",
        "not sure", "i'm not sure", "i don't know", "maybe", *_CONTROLS,
    ),
    "number": (
        *_NUMBER_WORDS,
        *(f"{n} minutes" for n in _NUMBER_WORDS),
        *(f"it's a {n}" for n in _NUMBER_WORDS[:11]),
        *(f"about {n}" for n in _NUMBER_WORDS),
        *(f"{n} out of ten" for n in _NUMBER_WORDS[:11]),
        "i don't know", *_CONTROLS,
    ),
}  # fmt: skip
"""The answers (and controls) a per-turn grammar accepts, by `Reply.expect`."""


def complete_request(understand: Callable[[str], Understanding]) -> Callable[[str], bool]:
    """`is_complete` for a Listener: a red flag, or a confident, answerable request."""

    def is_complete(text: str) -> bool:
        try:
            heard = understand(text)
        except InputError:
            return False
        return heard.red_flag or (not heard.fallback and heard.confidence >= COMPLETE_CONFIDENCE)

    return is_complete


@dataclass(frozen=True, slots=True)
class Utterance:
    """One thing said, as heard."""

    transcript: Transcript
    start_s: float
    """Speech start, in seconds of the source."""
    end_s: float
    """Speech end as the endpointer judged it, in seconds of the source."""
    decided_s: float
    """Source time at which the end was decided (end_s plus the hangover waited)."""
    finish_ms: float
    """Wall time the recognizer took to finish after the end was decided."""
    reason: str
    pcm: bytes = b""
    """The utterance's audio (16 kHz s16le), for decoding it again another way."""
    expected: str = ""
    """The answer set the recognizer's grammar was on ("" = the language model)."""


UNFINISHED_ENDINGS = frozenset(
    (
        "a",
        "an",
        "the",
        "my",
        "your",
        "this",
        "that",
        "to",
        "of",
        "and",
        "or",
        "but",
        "so",
        "if",
        "because",
        "i",
        "i'm",
        "you",
        "we",
        "it",
        "is",
        "are",
        "was",
        "be",
        "been",
        "have",
        "has",
        "had",
        "can",
        "could",
        "should",
        "would",
        "will",
        "um",
        "uh",
        "er",
        "erm",
        "like",
        "about",
        "how",
        "what",
        "when",
        "where",
        "why",
        "which",
    )
)
"""Last words after which a sentence is rarely over: "how long should i ...", "my leg is ..."."""


OBJECT_ENDINGS = frozenset(("this", "that", "it", "you", "me", "them"))
"""Of UNFINISHED_ENDINGS, words that often end a request as an object ("should i be
concerned about this", "i want that"), though a recognizer also hears "the" as "that"."""
_OPENERS = frozenset(
    (
        "is", "are", "was", "were", "am", "can", "could", "would", "should", "will", "do",
        "does", "did", "have", "has", "had", "how", "what", "when", "where", "why", "which",
        "who", "if", "and", "or", "but", "so", "because",
    )
)  # fmt: skip


_PREPOSITIONS = frozenset(
    (
        "about", "for", "with", "in", "on", "at", "to", "of", "from", "into", "through",
        "over", "under", "after", "before", "by", "like",
    )
)  # fmt: skip


_PEOPLE = frozenset(("i", "you", "we", "they", "to"))


def sounds_finished(text: str) -> bool:
    """Whether a partial transcript could be a whole request (it doesn't end mid-phrase)."""
    words = text.split()
    return bool(words) and words[-1] not in UNFINISHED_ENDINGS


def _opener_before(words: list[str]) -> bool:
    """Whether the word before the last opens a question ("is this", "can you"); "do"
    after a person is the verb ("how do i do it")."""
    before = words[-2]
    if before in ("do", "does", "did") and len(words) > 2 and words[-3] in _PEOPLE:
        return False
    return before in _OPENERS


def may_end_with_object(text: str, after_preposition: bool = False) -> bool:
    """ "i want that", "hello you": finished if the words make a confident request. Not
    after an opener ("is this ...", "can you ..."); after a preposition ("good for
    this") only if `after_preposition`, and never "... about that": a recognizer hears a
    pausing speaker's "about the ..." as "about that", even at 0.9 word confidence."""
    words = text.split()
    if len(words) < 2 or words[-1] not in OBJECT_ENDINGS or _opener_before(words):
        return False
    if words[-2] in _PREPOSITIONS:
        return after_preposition and words[-1] != "that"
    return True


def choose_reading(
    understand: Callable[[str], Understanding], grammar: Transcript, model: Transcript
) -> Transcript:
    """Between a grammar turn's reading and the language model's of the same audio: the
    model's if it holds a red flag or the grammar is unsure, else the grammar's."""
    if holds_red_flag(understand, model):
        return model
    return grammar if grammar.text and grammar.confidence >= GRAMMAR_MIN_CONFIDENCE else model


def holds_red_flag(
    understand: Callable[[str], Understanding], transcript: Transcript, *, leaning: bool = False
) -> bool:
    """Whether any reading of `transcript` reports a red flag (`leaning`: or leans to
    one): however unsure the recognizer was, a red flag is answered, and a possible one
    is asked about, never just asked again."""
    try:
        heard = understand_best(understand, transcript)
    except InputError:
        return False
    return heard.red_flag or (leaning and heard.check_red_flag)


LEANS_TO_RED_FLAG = 0.3
"""Least classifier probability of red_flag for `leans_to_red_flag`. On 49 spoken
red-flag checks (Piper, pocketsphinx, the suppressor's floor then -18 dB) the rules found
39 clean, 29 at pink 10 dB and 18 at 5 dB; leaning at 0.3 or more caught 8, 13 and 17
more of them, while 0, 1 and 0 of 176 other spoken checks leaned (0.5: 5, 11 and 11
more caught)."""


def leans_to_red_flag(heard: Understanding, least: float = LEANS_TO_RED_FLAG) -> bool:
    """The classifier's best label is red_flag but the rules found no report, and no
    symptom was negated or hypothetical (those get is_it_serious: `nlu._apply_safety`).

    For typed words that is a next-best answer; for heard words a warning sign may have
    been misheard ("my legs have no power" heard as "my legs have helpful"), so the
    spoken path asks (`Understanding.check_red_flag`).
    """
    if heard.red_flag or not heard.ranking or heard.intent == "is_it_serious":
        return False
    label, probability = heard.ranking[0]
    return label == "red_flag" and probability >= least


def understand_best(
    understand: Callable[[str], Understanding], transcript: Transcript
) -> Understanding:
    """The best hypothesis and the n-best alternatives, understood; the most confident
    reading wins (the best hypothesis by FIRST_READING_BONUS), and a red flag in any of
    them wins over everything (safety first); failing that, a reading that leans to a
    red flag comes back with check_red_flag set, so the reply asks.

    Raises InputError when no hypothesis has any words.
    """
    found = readings(understand, transcript)
    return red_flag_reading(found) or max(found, key=reading_weight)[0]


def red_flag_reading(found: list[tuple[Understanding, int]]) -> Understanding | None:
    """The first reading that reports a red flag; else the first that leans to one, to be
    asked about (check_red_flag); else None. Any reading counts, not only the best."""
    for reading, _ in found:
        if reading.red_flag:
            return reading
    for reading, _ in found:
        if leans_to_red_flag(reading):
            return replace(reading, check_red_flag=True)
    return None


def readings(
    understand: Callable[[str], Understanding], transcript: Transcript
) -> list[tuple[Understanding, int]]:
    """The best hypothesis and each n-best alternative understood, with its rank (0: the
    best); hypotheses without words are left out. InputError if none has any."""
    found = []
    for rank, text in enumerate((transcript.text, *transcript.alternatives)):
        try:
            found.append((understand(text), rank))
        except InputError:
            continue
    if not found:
        raise InputError("nothing was heard")
    return found


def reading_weight(reading: tuple[Understanding, int]) -> tuple[bool, float]:
    """How `understand_best` ranks (reading, rank) pairs with no red flag: an understood
    one first, then by confidence, the best hypothesis's raised by FIRST_READING_BONUS."""
    understood, rank = reading
    return not understood.fallback, understood.confidence + (FIRST_READING_BONUS * (rank == 0))


def doubt(heard: Understanding, confidence: float) -> Understanding:
    """`heard` marked fallback (the reply asks again) when the recognizer's `confidence`
    and the reading's are both low (UNSURE_HEARING, SURE_READING). A red flag, or a
    reading that leans to one, is never doubted: it is answered or asked about. Not for
    a per-turn grammar's reading ("thirteen" is a sure answer the classifier can't read)."""
    if heard.red_flag or heard.check_red_flag or heard.fallback:
        return heard
    if confidence < UNSURE_HEARING and heard.confidence < SURE_READING:
        return replace(heard, fallback=True)
    return heard


def understand_heard(
    understand: Callable[[str], Understanding], utterances: Sequence[Utterance]
) -> Understanding:
    """One utterance: its n-best (`understand_best`); several (a long pause split the
    request): their best hypotheses joined, read the same way; then `doubt`. InputError
    if there are no words."""
    if len(utterances) == 1:
        transcript = utterances[0].transcript
    else:
        transcript = Transcript(
            " ".join(u.transcript.text for u in utterances if u.transcript.text),
            min((u.transcript.confidence for u in utterances), default=0.0),
            sum(u.transcript.audio_seconds for u in utterances),
        )
    return doubt(understand_best(understand, transcript), transcript.confidence)


class Listener:
    def __init__(
        self,
        endpointer: Endpointer,
        recognizer: Recognizer,
        is_complete: Callable[[str], bool] | None = None,
        quick_hangover_s: float = 0.35,
        check_every_s: float = 0.15,
        denoiser: NoiseSuppressor | None = None,
        second_opinion: Recognizer | None = None,
    ) -> None:
        """`denoiser`: steady noise is taken out before endpointing and recognition; a
        NoiseSuppressor by default. `second_opinion`: a spare recognizer that decodes
        the utterance so far, to the end, once its partial transcript has settled but
        doesn't read as complete: a streaming partial often garbles the last word
        ("... my last have what"), which the full decode gets right."""
        self.second_opinion = second_opinion
        self._audio: list[bytes] = []
        self._second_for = ""
        self._second_holds = False
        """The second opinion on the partial `_second_for` found it complete with its last
        word heard surely: that holds while the partial stays the same. An unsure one
        ("how long should ice" for a pausing "how long should i ...") counts only at the
        check it was given at."""
        self.endpointer = endpointer
        self.recognizer = recognizer
        self.denoiser = denoiser if denoiser is not None else NoiseSuppressor()
        self.is_complete = is_complete
        self.quick_hangover_s = quick_hangover_s
        self.check_every_s = check_every_s
        self._next_check_s = 0.0
        self.partial = ""
        self._last_checked = ""
        self.expected = ""

    def expect(self, kind: str) -> None:
        """Listen for the answers of `kind` (a key of EXPECTED_PHRASES) from the next
        utterance on; "" for anything (the language model)."""
        if kind == self.expected:
            return
        self.recognizer.restrict(EXPECTED_PHRASES[kind] if kind else None)
        self.endpointer.expect_short_answer(bool(kind))
        self.expected = kind

    def reread(self, utterance: Utterance) -> Transcript:
        """The utterance decoded again with the language model (the grammar is lifted)."""
        self.expect("")
        self.recognizer.accept(utterance.pcm)
        return self.recognizer.finish()

    def utterances(self, chunks: Iterable[AudioChunk]) -> Iterator[Utterance]:
        """Yield each utterance as soon as its end is decided."""
        for chunk in chunks:
            yield from self.feed(chunk)
        for event in self.endpointer.finish():
            if isinstance(event, SpeechEnded):
                yield self._finish(event)

    def feed(self, chunk: AudioChunk) -> Iterator[Utterance]:
        chunk = AudioChunk(self.denoiser.process(chunk.pcm), chunk.start_s)
        was_speaking = self.endpointer.in_speech
        events = self.endpointer.feed(chunk)
        if was_speaking and not any(isinstance(e, SpeechStarted) for e in events):
            self._accept(chunk.pcm, chunk.start_s + chunk.duration_s)
        for event in events:
            if isinstance(event, SpeechStarted):
                self.recognizer.reset()
                self.endpointer.set_hangover(self.endpointer.default_hangover_s)
                self._next_check_s = event.start_s + self.check_every_s
                self.partial = self._last_checked = self._second_for = ""
                self._second_holds = False
                self._audio = []
                self._accept(event.pcm + _after(chunk, event), chunk.start_s + chunk.duration_s)
            else:
                yield self._finish(event)

    def _accept(self, pcm: bytes, now_s: float) -> None:
        self._audio.append(pcm)
        partial = self.recognizer.accept(pcm)
        if partial is not None:
            self.partial = partial
        if self.is_complete is None or now_s < self._next_check_s:
            return
        self._next_check_s = now_s + self.check_every_s
        settled = self.partial == self._last_checked
        self._last_checked = self.partial
        partial = self.partial
        if sounds_finished(partial):
            complete = settled or self.is_complete(partial)
        else:
            complete = may_end_with_object(partial) and self.is_complete(partial)
        if not complete and settled and partial:
            if partial != self._second_for:
                complete, sure = self._complete_on_second_opinion(partial)
                self._second_holds = complete and sure
            else:
                complete = self._second_holds
        hangover = self.quick_hangover_s if complete else self.endpointer.default_hangover_s
        self.endpointer.set_hangover(hangover)

    def _complete_on_second_opinion(self, partial: str) -> tuple[bool, bool]:
        """(whether a full decode of the audio so far reads as a complete request,
        whether its last word was heard surely)."""
        if self.second_opinion is None or self.is_complete is None:
            return False, False
        self._second_for = partial
        self.second_opinion.reset()
        self.second_opinion.accept(b"".join(self._audio))
        transcript = self.second_opinion.finish()
        text = transcript.text
        log.debug("second opinion on %r: %s", partial, transcript)
        sure = bool(transcript.words) and transcript.words[-1].confidence >= SURE_LAST_WORD
        if sounds_finished(text):
            return self.is_complete(text), sure
        # "... for this": only if the last word was heard surely (requests end at 0.93-1.0).
        ending = sure and may_end_with_object(text, after_preposition=True)
        return ending and self.is_complete(text), sure

    def _finish(self, event: SpeechEnded) -> Utterance:
        started = time.perf_counter()
        transcript = self.recognizer.finish()
        finish_ms = (time.perf_counter() - started) * 1000
        self.endpointer.set_hangover(self.endpointer.default_hangover_s)
        decided_s = event.audio_start_s + len(event.pcm) / 2 / 16_000
        return Utterance(
            transcript=transcript,
            start_s=event.start_s,
            end_s=event.end_s,
            decided_s=decided_s,
            finish_ms=finish_ms,
            reason=str(event.reason),
            pcm=event.pcm,
            expected=self.expected,
        )


def _after(chunk: AudioChunk, started: SpeechStarted) -> bytes:
    """The part of `chunk` after the frame where `started` was decided.

    The start is decided mid-chunk; its pcm ends there, and the rest of the chunk is
    speech too. Left out, the recognizer heard a 10-30 ms hole in the first word (a
    clean "seven" became "thirteen" once the start came one frame sooner).
    """
    decided_s = started.audio_start_s + len(started.pcm) / 2 / SAMPLE_RATE_HZ
    offset = round((decided_s - chunk.start_s) * SAMPLE_RATE_HZ) * 2
    return chunk.pcm[min(max(offset, 0), len(chunk.pcm)) :]
