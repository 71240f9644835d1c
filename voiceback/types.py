"""Values passed between pipeline stages, and the one error hierarchy.

Every stage takes and returns these small frozen dataclasses; engine-specific
objects (Vosk JSON strings, spaCy Docs, pyttsx3 engines) never leave their module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

SAMPLE_RATE_HZ = 16_000
"""The one internal audio format: 16 kHz, mono, signed 16-bit little-endian PCM."""


# --- errors -------------------------------------------------------------------------


class VoicebackError(Exception):
    """Base of every error voiceback raises on purpose; caught once per turn."""

    code = "error"


class ConfigError(VoicebackError):
    """A bad config file or flag; the message names the key."""

    code = "config"


class ContentError(VoicebackError):
    """A broken intents file; the message names the file and the key."""

    code = "content"


class ModelMissing(VoicebackError):
    """A model (intent classifier, speech model) is not installed or won't load."""

    code = "model-missing"


class AudioError(VoicebackError):
    """Audio that can't be read, or an audio device that can't be opened or vanished."""

    code = "audio"


class RecognizerError(VoicebackError):
    """The speech recognizer failed on some audio."""

    code = "recognizer"


class SpeechError(VoicebackError):
    """Speech synthesis failed."""

    code = "speech"


class InputError(VoicebackError):
    """Text input that can't be used (not UTF-8, not JSON, ...)."""

    code = "input"


class StoreError(VoicebackError):
    """The SQLite store failed."""

    code = "store"


class DownloadError(VoicebackError):
    """A model download failed (offline, checksum mismatch, ...)."""

    code = "download"


# --- values between stages ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """A block of 16 kHz mono s16le audio."""

    pcm: bytes
    start_s: float = 0.0
    """Seconds from the start of the source to the first sample."""

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / SAMPLE_RATE_HZ


@dataclass(frozen=True, slots=True)
class Word:
    """One recognized word with its timing, in seconds from the utterance start."""

    text: str
    start_s: float
    end_s: float
    confidence: float


@dataclass(frozen=True, slots=True)
class Transcript:
    """What the recognizer heard in one utterance."""

    text: str
    confidence: float
    """0..1, the engine's own score mapped to one scale."""
    audio_seconds: float
    words: tuple[Word, ...] = ()
    alternatives: tuple[str, ...] = ()
    """Other hypotheses (n-best), best first, not including `text`."""


@dataclass(frozen=True, slots=True)
class Understanding:
    """What the user wants, from the text of one utterance."""

    text: str
    intent: str
    confidence: float
    """0..1: the classifier's probability for `intent` (1.0 when a safety rule decided)."""
    red_flag: bool = False
    slots: dict[str, int | str] = field(default_factory=dict)
    symptoms: tuple[str, ...] = ()
    """Red-flag symptoms reported (e.g. "numbness", "bladder"), empty if none."""
    ranking: tuple[tuple[str, float], ...] = ()
    """The classifier's top labels with probabilities, best first."""
    fallback: bool = False
    """True when confidence was too low to act on: the reply asks again."""
    check_red_flag: bool = False
    """Heard, not typed: the words may hold a warning sign the recognizer misheard (the
    classifier leans to red_flag, the rules found no report), so the reply asks."""


@dataclass(frozen=True, slots=True)
class Reply:
    """What to say back."""

    text: str
    intent: str
    red_flag: bool = False
    source: str = ""
    """The seed-article section the answer comes from, if any."""
    action: str = ""
    """What the caller should do besides speaking: one of ACTIONS, or empty."""
    expect: str = ""
    """The small answer set the next turn is expected from, for a per-turn recognizer
    grammar: one of EXPECTS ("yes_no", "number"), or "" for anything."""


ACTIONS = ("stop", "pause", "resume", "slower", "faster", "louder", "quieter", "goodbye")
EXPECTS = ("yes_no", "number")


class EventKind(StrEnum):
    LISTENING = "listening"
    HEARD = "heard"
    UNDERSTOOD = "understood"
    SPEAKING = "speaking"
    STEP = "step"
    TIMER = "timer"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Event:
    """Something observers (logs, the kiosk screen) may want to know."""

    kind: EventKind
    data: dict[str, object] = field(default_factory=dict)
