"""Helpers for the recognizer tests: stream synthesized audio through a recognizer.

Audio comes from tests/audio_synth.py (espeak-ng and Piper, cached in tests/.audio-cache/).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from audio_synth import Sample

from voiceback.stt import Recognizer
from voiceback.types import Transcript

CHUNK_MS = 20
Say = Callable[..., Sample]
"""The `say` fixture: `say("text", engine="espeak", voice="en-us", ...)` -> Sample."""

DOMAIN_SENTENCES = (
    "my back is in spasm",
    "how long should i put ice on it",
    "is this serious",
    "should i use heat or ice",
    "can i take ibuprofen",
    "my lower back hurts",
    "what stretches can i do",
    "the pain goes down my leg",
    "i feel tingly in my foot",
    "is it ok to take paracetamol",
    "can i take diazepam",
    "should i see an osteopath",
    "my hamstring is tight",
    "my sacroiliac joint hurts",
    "will a muscle relaxant help",
    "my hip flexors are sore",
    "can i take naproxen or celebrex",
    "when should i see a doctor",
    "i can't feel my legs",
    "repeat that",
    "next step",
    "stop",
)
NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def pcm16(sample: Sample) -> bytes:
    """A synthesized sample as 16 kHz mono s16le PCM."""
    assert sample.rate_hz == 16_000
    return np.clip(np.rint(sample.samples() * 32768.0), -32768, 32767).astype("<i2").tobytes()


@dataclass(frozen=True)
class Heard:
    transcript: Transcript
    partials: tuple[str, ...]
    """Distinct partial transcripts, in the order they appeared."""
    sample: Sample


def hear(recognizer: Recognizer, sample: Sample, chunk_ms: int = CHUNK_MS) -> Heard:
    """Stream `sample` through `recognizer` in `chunk_ms` blocks, like a microphone."""
    pcm = pcm16(sample)
    step = 16 * 2 * chunk_ms
    partials: list[str] = []
    for i in range(0, len(pcm), step):
        partial = recognizer.accept(pcm[i : i + step])
        if partial and (not partials or partials[-1] != partial):
            partials.append(partial)
    return Heard(recognizer.finish(), tuple(partials), sample)


def word_errors(reference: str, hypothesis: str) -> int:
    """Word-level Levenshtein distance: substitutions, insertions and deletions."""
    ref, hyp = reference.split(), hypothesis.split()
    row = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        prev, row[0] = row[0], i
        for j, h in enumerate(hyp, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (r != h))
    return row[-1]


def word_accuracy(reference: str, hypothesis: str) -> float:
    """1 - word error rate, floored at 0."""
    return max(0.0, 1.0 - word_errors(reference, hypothesis) / max(len(reference.split()), 1))
