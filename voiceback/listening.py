"""Listening: audio chunks -> endpointed utterances -> transcripts, with timings.

The endpointer finds where speech starts and ends; the recognizer streams the
utterance as it comes. While speech goes on, the partial transcript is checked every
`check_every_s`: once it already reads as a complete, confident request, or it has
stopped changing and does not end mid-phrase ("my leg is ..."), the endpointer waits
only `quick_hangover_s` of silence; otherwise its default, so a slow speaker who
pauses mid-sentence is not cut off.

When the conversation expects a small answer ("yes" or "no", a number), `expect` puts
the recognizer on a grammar of those answers and the controls for the next utterance;
`reread` decodes the same audio again with the language model, so that what falls
outside the grammar (a red flag above all) is still heard (`choose_reading`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from voiceback.audio import Endpointer, SpeechEnded, SpeechStarted
from voiceback.stt import Recognizer
from voiceback.types import AudioChunk, InputError, Transcript, Understanding

COMPLETE_CONFIDENCE = 0.8
"""A partial transcript the classifier is this sure of counts as a complete request."""
GRAMMAR_MIN_CONFIDENCE = 0.5
"""A grammar reading less sure than this gives way to the language model's."""

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


def sounds_finished(text: str) -> bool:
    """Whether a partial transcript could be a whole request (it doesn't end mid-phrase)."""
    words = text.split()
    return bool(words) and words[-1] not in UNFINISHED_ENDINGS


def choose_reading(
    understand: Callable[[str], Understanding], grammar: Transcript, model: Transcript
) -> Transcript:
    """Between a grammar turn's reading and the language model's of the same audio: the
    model's if it holds a red flag or the grammar is unsure, else the grammar's."""
    try:
        if understand_best(understand, model).red_flag:
            return model
    except InputError:
        pass
    return grammar if grammar.text and grammar.confidence >= GRAMMAR_MIN_CONFIDENCE else model


def understand_best(
    understand: Callable[[str], Understanding], transcript: Transcript
) -> Understanding:
    """The best hypothesis and the n-best alternatives, understood; the most confident
    reading wins, and a red flag in any of them wins over everything (safety first).

    Raises InputError when no hypothesis has any words.
    """
    readings = []
    for text in (transcript.text, *transcript.alternatives):
        try:
            readings.append(understand(text))
        except InputError:
            continue
    if not readings:
        raise InputError("nothing was heard")
    flagged = [r for r in readings if r.red_flag]
    if flagged:
        return flagged[0]
    return max(readings, key=lambda r: (not r.fallback, r.confidence))


class Listener:
    def __init__(
        self,
        endpointer: Endpointer,
        recognizer: Recognizer,
        is_complete: Callable[[str], bool] | None = None,
        quick_hangover_s: float = 0.5,
        check_every_s: float = 0.3,
    ) -> None:
        self.endpointer = endpointer
        self.recognizer = recognizer
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
        was_speaking = self.endpointer.in_speech
        events = self.endpointer.feed(chunk)
        if was_speaking and not any(isinstance(e, SpeechStarted) for e in events):
            self._accept(chunk.pcm, chunk.start_s + chunk.duration_s)
        for event in events:
            if isinstance(event, SpeechStarted):
                self.recognizer.reset()
                self.endpointer.set_hangover(self.endpointer.default_hangover_s)
                self._next_check_s = event.start_s + self.check_every_s
                self.partial = self._last_checked = ""
                self._accept(event.pcm, chunk.start_s + chunk.duration_s)
            else:
                yield self._finish(event)

    def _accept(self, pcm: bytes, now_s: float) -> None:
        partial = self.recognizer.accept(pcm)
        if partial is not None:
            self.partial = partial
        if self.is_complete is None or now_s < self._next_check_s:
            return
        self._next_check_s = now_s + self.check_every_s
        settled = self.partial == self._last_checked
        self._last_checked = self.partial
        complete = sounds_finished(self.partial) and (settled or self.is_complete(self.partial))
        hangover = self.quick_hangover_s if complete else self.endpointer.default_hangover_s
        self.endpointer.set_hangover(hangover)

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
