"""Remove voiceback's own voice from what the microphone heard while it spoke.

The speaker's sound reaches the microphone as a delayed, filtered copy of what was
played. Knowing exactly what was played (the reference), `remove_echo` finds the delay
by cross-correlation and fits a short FIR filter around it by least squares, then
subtracts the fitted echo; what is left is mostly the room and the person. A short
filter models the speaker, the sound card and resampling, not a room's reverberation:
in a reverberant room the residual keeps the echo's tail, so barge-in (the only user)
still asks the recognizer and the intent classifier before it acts on anything.
Pure numpy, no device.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voiceback.types import SAMPLE_RATE_HZ

Float = npt.NDArray[np.float32]

TAPS = 48
"""FIR taps fitted around the delay (3 ms at 16 kHz): fractional delay and resampler."""


@dataclass(frozen=True, slots=True)
class EchoRemoved:
    residual: Float
    """The microphone signal minus the fitted echo, same length as the input."""
    delay_s: float
    """Where the reference was found in the microphone signal (start of `mic` = 0)."""
    removed_db: float
    """How much quieter the residual is than the microphone signal (echo return loss)."""


def remove_echo(mic: Float, reference: Float, max_delay_s: float = 1.5) -> EchoRemoved:
    """Subtract the best-fitting delayed, filtered copy of `reference` from `mic` (16 kHz)."""
    mic = np.asarray(mic, np.float32)
    ref = np.asarray(reference, np.float32)
    if len(mic) == 0 or len(ref) == 0 or not np.any(ref):
        return EchoRemoved(mic.copy(), 0.0, 0.0)
    max_lag = min(len(mic), int(max_delay_s * SAMPLE_RATE_HZ))
    lag = _best_lag(mic, ref, max_lag)
    # Column k is the reference delayed by lag - TAPS/2 + k samples, cut to the mic's length.
    n, start = len(mic), lag - TAPS // 2
    delayed = np.zeros(n + TAPS - 1, np.float64)
    base = start + TAPS - 1  # index in `delayed` where ref[0] lands for column 0
    lo, hi = max(0, base), min(len(delayed), base + len(ref))
    if hi > lo:
        delayed[lo:hi] = ref[lo - base : hi - base]
    windows = np.lib.stride_tricks.sliding_window_view(delayed, n)  # (TAPS, n), row j
    columns = windows[::-1]  # row k = delayed[TAPS-1-k : TAPS-1-k+n]: delay start + k
    gram = columns @ columns.T + 1e-9 * np.eye(TAPS)
    weights = np.linalg.solve(gram, columns @ mic.astype(np.float64))
    residual = (mic - weights @ columns).astype(np.float32)
    return EchoRemoved(residual, lag / SAMPLE_RATE_HZ, _db(mic) - _db(residual))


def _best_lag(mic: Float, ref: Float, max_lag: int) -> int:
    """The lag (0..max_lag) at which `ref` correlates best with `mic`, by FFT."""
    size = 1 << int(np.ceil(np.log2(len(mic) + len(ref))))
    spectrum = np.fft.rfft(mic, size) * np.conj(np.fft.rfft(ref, size))
    correlation = np.fft.irfft(spectrum, size)[: max_lag + 1]
    return int(np.argmax(np.abs(correlation)))


def _db(x: Float) -> float:
    return float(10 * np.log10(np.mean(np.square(x, dtype=np.float64)) + 1e-12))
