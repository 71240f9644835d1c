"""Earcons: short sounds that tell the user something (e.g. "I'm listening"), as PCM."""

from __future__ import annotations

import numpy as np

from voiceback.types import SAMPLE_RATE_HZ


def chime(
    rate_hz: int = SAMPLE_RATE_HZ,
    level_dbfs: float = -16.0,
    notes_hz: tuple[float, ...] = (659.25, 987.77),
    note_s: float = 0.14,
) -> bytes:
    """A soft rising two-note chime (E5 then B5, ~0.4 s) as mono s16le at `rate_hz`.

    Each note is a sine with a quieter octave overtone and a bell-like envelope
    (5 ms attack, exponential decay), so it starts and ends without clicks; the
    notes overlap a little so it sounds like one gesture. `level_dbfs` is the peak.
    """
    note_n = round(note_s * rate_hz)
    ring_n = round(2.0 * note_s * rate_hz)
    out = np.zeros(note_n * (len(notes_hz) - 1) + ring_n, np.float64)
    for i, freq in enumerate(notes_hz):
        out[i * note_n : i * note_n + ring_n] += _bell(freq, ring_n, rate_hz)
    out *= 10.0 ** (level_dbfs / 20.0) / np.max(np.abs(out))
    return np.rint(out * 32767.0).astype("<i2").tobytes()


def _bell(freq_hz: float, n: int, rate_hz: int) -> np.ndarray:
    t = np.arange(n) / rate_hz
    tone = np.sin(2 * np.pi * freq_hz * t) + 0.25 * np.sin(2 * np.pi * 2 * freq_hz * t)
    attack = np.minimum(1.0, t / 0.005)
    decay = np.exp(-t / (n / rate_hz / 5.0))
    fade = np.minimum(1.0, (n - 1 - np.arange(n)) / (0.01 * rate_hz))  # reach 0 at the end
    return np.asarray(tone * attack * decay * fade)
