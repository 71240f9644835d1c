"""Listening: audio chunks -> endpointed utterances -> transcripts, with timings.

The endpointer finds where speech starts and ends; the recognizer streams the
utterance as it comes. While speech goes on, the partial transcript is checked every
`check_every_s`: once it already reads as a complete, confident request, or it has
stopped changing and does not end mid-phrase ("my leg is ..."), the endpointer waits
only `quick_hangover_s` of silence; otherwise its default, so a slow speaker who
pauses mid-sentence is not cut off.
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
        )
