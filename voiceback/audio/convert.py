"""Any float audio -> 16 kHz mono s16le chunks: mix down, resample (soxr), fill digital silence.

Shared by the WAV and microphone sources so both deliver exactly the same format.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import soxr

from voiceback.types import SAMPLE_RATE_HZ, AudioChunk

Int16Array = npt.NDArray[np.int16]

NOISE_FLOOR_DBFS = -60.0
"""Default level of the noise put into exact digital silence (pocketsphinx needs it)."""

_MIN_ZERO_RUN = 16
"""Runs of exact zeros at least this long (1 ms) count as digital silence."""


def to_int16(samples: npt.NDArray[np.floating]) -> Int16Array:
    """Float samples in -1..1 -> int16 (rounded, clipped; NaN -> 0)."""
    scaled = np.nan_to_num(np.asarray(samples, np.float64) * 32768.0)
    return np.clip(np.rint(scaled), -32768, 32767).astype(np.int16)


def fill_digital_silence(
    pcm: Int16Array, rng: np.random.Generator, level_dbfs: float = NOISE_FLOOR_DBFS
) -> Int16Array:
    """Replace runs of exact zeros (>= 1 ms) by faint Gaussian noise at `level_dbfs` RMS.

    Speech and real room noise are left untouched; only noise-gated or synthesized
    silence changes. Returns a new array.
    """
    zero = pcm == 0
    if not zero.any():
        return pcm
    edges = np.flatnonzero(np.diff(np.concatenate(([0], zero.view(np.int8), [0]))))
    starts, ends = edges[0::2], edges[1::2]
    long_runs = (ends - starts) >= _MIN_ZERO_RUN
    if not long_runs.any():
        return pcm
    out = pcm.copy()
    sigma = 32768.0 * 10.0 ** (level_dbfs / 20.0)
    for start, end in zip(starts[long_runs], ends[long_runs], strict=True):
        noise = rng.normal(0.0, sigma, end - start)
        out[start:end] = np.clip(np.rint(noise), -32768, 32767).astype(np.int16)
    return out


class Converter:
    """Streaming conversion of float blocks at any rate/channels to 16 kHz mono AudioChunks.

    `push()` returns the whole chunks ready so far; `finish()` flushes the resampler
    and returns the rest (the last chunk may be short).
    """

    def __init__(
        self,
        in_rate_hz: int,
        chunk_samples: int,
        noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS,
        seed: int = 0,
    ) -> None:
        self._resampler = (
            None
            if in_rate_hz == SAMPLE_RATE_HZ
            else soxr.ResampleStream(in_rate_hz, SAMPLE_RATE_HZ, 1, dtype="float32", quality="HQ")
        )
        self._chunk_samples = chunk_samples
        self._noise_floor_dbfs = noise_floor_dbfs
        self._rng = np.random.default_rng(seed)
        self._pending = np.zeros(0, np.int16)
        self._emitted = 0

    @property
    def emitted_s(self) -> float:
        """Seconds of 16 kHz audio handed out so far."""
        return self._emitted / SAMPLE_RATE_HZ

    def push(self, block: npt.NDArray[np.float32]) -> list[AudioChunk]:
        """Take a (frames,) or (frames, channels) float block; return finished chunks."""
        mono = block if block.ndim == 1 else block.mean(axis=1, dtype=np.float32)
        mono = np.ascontiguousarray(mono, np.float32)
        if self._resampler is not None:
            mono = self._resampler.resample_chunk(mono)
        return self._add(mono, final=False)

    def finish(self) -> list[AudioChunk]:
        """Flush the resampler; return the remaining chunks (the last may be short)."""
        tail = np.zeros(0, np.float32)
        if self._resampler is not None:
            tail = self._resampler.resample_chunk(tail, last=True)
        return self._add(tail, final=True)

    def _add(self, mono: npt.NDArray[np.float32], final: bool) -> list[AudioChunk]:
        pcm = to_int16(mono)
        if self._noise_floor_dbfs is not None:
            pcm = fill_digital_silence(pcm, self._rng, self._noise_floor_dbfs)
        pending = np.concatenate((self._pending, pcm))
        n = self._chunk_samples
        whole = len(pending) // n * n
        cut = len(pending) if final else whole
        chunks = [self._chunk(pending[i : min(i + n, cut)]) for i in range(0, cut, n)]
        self._pending = pending[cut:]
        return chunks

    def _chunk(self, pcm: Int16Array) -> AudioChunk:
        chunk = AudioChunk(pcm.astype("<i2").tobytes(), start_s=self._emitted / SAMPLE_RATE_HZ)
        self._emitted += len(pcm)
        return chunk
