"""Barge-in: "stop" said while voiceback is talking stops it at the next sentence.

While a reply is spoken the listener is gated (its own voice must never be taken for
a request), but the microphone keeps recording. After each sentence `BargeIn.check`
takes what was recorded meanwhile, subtracts the sentence it just played (known
exactly, `audio/echo.py`), finds speech in what is left with the same endpointer as
requests, and asks the recognizer and the intent classifier what it was. Only a stop
or pause, or a red flag, interrupts; anything else, including leftovers of its own
voice, is ignored.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import soxr

from voiceback.audio.convert import to_int16
from voiceback.audio.echo import remove_echo
from voiceback.audio.endpoint import Endpointer, SpeechEnded
from voiceback.listening import understand_best
from voiceback.stt import Recognizer
from voiceback.tts import Speech
from voiceback.types import SAMPLE_RATE_HZ, InputError, Understanding

log = logging.getLogger(__name__)

INTERRUPTING = ("stop", "pause")
"""Intents that interrupt a reply (a red flag always does)."""
CONTROL_PHRASES = (
    "stop",
    "stop it",
    "stop now",
    "stop talking",
    "please stop",
    "okay stop",
    "hey coach stop",
    "be quiet",
    "quiet please",
    "shush",
    "that's enough",
    "enough",
    "pause",
    "hold on",
    "wait",
)
"""What people say to interrupt; listened for with a small grammar when the language
model's reading was no stop (a lone "stop" is short and easily misheard as "stuff")."""


class Recording(Protocol):
    def drain(self) -> bytes: ...
    def flush(self) -> None: ...


@dataclass(frozen=True, slots=True)
class BargeInSettings:
    echo_wait_s: float = 0.3
    """After a sentence, wait this long for its echo to reach the microphone."""
    grammar_min: float = 0.5
    """Least recognizer confidence for a stop heard with the small grammar."""


class BargeIn:
    def __init__(
        self,
        source: Recording,
        recognizer: Recognizer,
        understand: Callable[[str], Understanding],
        settings: BargeInSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.source = source
        self.recognizer = recognizer
        self.understand = understand
        self.settings = settings or BargeInSettings()
        self.sleep = sleep

    def begin(self) -> None:
        """Before speaking: forget what the microphone heard so far."""
        self.source.flush()

    def check(self, played: Speech) -> Understanding | None:
        """What the person said over `played`, if it should interrupt; else None."""
        self.sleep(self.settings.echo_wait_s)
        mic = np.frombuffer(self.source.drain(), "<i2").astype(np.float32) / 32768.0
        ref = np.frombuffer(played.pcm, "<i2").astype(np.float32) / 32768.0
        if played.rate_hz != SAMPLE_RATE_HZ:
            ref = soxr.resample(ref, played.rate_hz, SAMPLE_RATE_HZ).astype(np.float32)
        echo = remove_echo(mic, ref)
        endpointer = Endpointer()
        events = [*endpointer.feed(to_int16(echo.residual).tobytes()), *endpointer.finish()]
        for event in events:
            if isinstance(event, SpeechEnded):
                heard = self._understand(event.pcm, echo.removed_db)
                if heard is not None:
                    return heard
        return None

    def _understand(self, pcm: bytes, removed_db: float) -> Understanding | None:
        """The language model first (a red flag must be heard); then the stop grammar."""
        for phrases in (None, CONTROL_PHRASES):
            heard = self._decode(pcm, phrases)
            log.info("over its own voice (%.1f dB removed): %s", removed_db, heard)
            if heard is not None and (
                heard.red_flag or (not heard.fallback and heard.intent in INTERRUPTING)
            ):
                return heard
        return None

    def _decode(self, pcm: bytes, phrases: tuple[str, ...] | None) -> Understanding | None:
        try:
            if phrases is not None:
                self.recognizer.restrict(phrases)
            self.recognizer.accept(pcm)
            transcript = self.recognizer.finish()
            if phrases is not None and transcript.confidence < self.settings.grammar_min:
                return None
            return understand_best(self.understand, transcript)
        except InputError:
            return None
        finally:
            if phrases is not None:
                self.recognizer.restrict(None)
            self.recognizer.reset()
