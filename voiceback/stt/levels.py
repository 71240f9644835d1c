"""Audio levels: a faint seeded noise floor, and the level of each frame (pure numpy)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from voiceback.types import RecognizerError


class NoiseFloor:
    """Adds seeded Gaussian noise at a fixed level (None: passes audio through)."""

    def __init__(self, dbfs: float | None) -> None:
        self._sigma = None if dbfs is None else 32768.0 * 10.0 ** (dbfs / 20.0)
        self._rng = np.random.default_rng(0)

    def add(self, pcm: bytes) -> npt.NDArray[np.int16]:
        if len(pcm) % 2:
            raise RecognizerError("audio must be whole 16-bit samples (odd byte count)")
        samples = np.frombuffer(pcm, dtype="<i2")
        if self._sigma is None:
            return samples
        noisy = samples.astype(np.float32)
        noisy += self._rng.normal(0.0, self._sigma, samples.size).astype(np.float32)
        return np.clip(np.rint(noisy), -32768, 32767).astype(np.int16)


class FrameLevels:
    """Level in dBFS of each whole frame of 16-bit audio fed so far."""

    def __init__(self, frame_samples: int) -> None:
        self._frame = frame_samples
        self._levels: list[npt.NDArray[np.float64]] = []
        self._rest = np.empty(0, dtype=np.float64)

    def clear(self) -> None:
        self._levels = []
        self._rest = np.empty(0, dtype=np.float64)

    def add(self, samples: npt.NDArray[np.int16]) -> None:
        data = np.concatenate((self._rest, samples.astype(np.float64)))
        whole = data.size // self._frame * self._frame
        frames = data[:whole].reshape(-1, self._frame)
        power = np.mean(frames**2, axis=1) / 32768.0**2
        self._levels.append(10.0 * np.log10(power + 1e-12))
        self._rest = data[whole:]

    def levels(self) -> npt.NDArray[np.float64]:
        return np.concatenate(self._levels) if self._levels else np.empty(0, dtype=np.float64)
