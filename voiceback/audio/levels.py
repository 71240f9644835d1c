"""Frame levels in the speech band, and the model of the background they are compared to."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from voiceback.types import SAMPLE_RATE_HZ

BAND_HZ = (200.0, 4000.0)
"""Speech band: most of speech's energy and intelligibility, little of hum or hiss."""
SILENT_DBFS = -100.0
_GUESS_SPREAD_DB = 8.0
"""Until the background is known, assume it may swing this much (like babble)."""


class BandMeter:
    """Speech-band level (dBFS, mean square of the in-band signal) of fixed-size frames."""

    def __init__(self, frame_samples: int) -> None:
        self.frame_samples = frame_samples
        self._window = np.hanning(frame_samples)
        self._n_fft = 1 << (frame_samples - 1).bit_length()
        freqs = np.fft.rfftfreq(self._n_fft, 1 / SAMPLE_RATE_HZ)
        in_band = ((freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])).astype(np.float64)
        # Parseval, normalized by the window's energy, so that |X|^2 @ weights is the
        # in-band mean square (a full-scale sine in the band reads about -3 dBFS).
        self._weights = in_band * 2.0 / (self._n_fft * float(np.sum(self._window**2)))

    def levels(self, frames: npt.NDArray[np.int16]) -> npt.NDArray[np.float64]:
        """dBFS of each row of a (n_frames, frame_samples) int16 array."""
        x = frames.astype(np.float64) / 32768.0
        spectrum = np.abs(np.fft.rfft(x * self._window, n=self._n_fft)) ** 2
        return 10.0 * np.log10(spectrum @ self._weights + 10 ** (SILENT_DBFS / 10))


class Smoother:
    """Running mean of the last `n` frames' power, in dB (a trailing window)."""

    def __init__(self, n: int) -> None:
        self._powers: deque[float] = deque(maxlen=n)

    def add(self, level_db: float) -> float:
        self._powers.append(10.0 ** (level_db / 10.0))
        return 10.0 * float(np.log10(sum(self._powers) / len(self._powers)))


@dataclass(frozen=True, slots=True)
class Background:
    """Levels (dBFS) of the background: `floor` is its usual level, `ceiling` how high
    it alone goes (steady hiss or hum: 1-2 dB over the floor; babble: 5-9 dB)."""

    floor: float
    ceiling: float
    smooth_floor: float
    """The same for the 100 ms smoothed levels."""
    smooth_ceiling: float

    @staticmethod
    def of(raw: Sequence[float], smooth: Sequence[float]) -> Background:
        """From enough noise: 10th and 90th percentiles (95th for the smoothed)."""
        floor, ceiling = (float(v) for v in np.percentile(raw, (10, 90)))
        smooth_floor, smooth_ceiling = (
            (float(v) for v in np.percentile(smooth, (10, 95))) if smooth else (floor, ceiling)
        )
        return Background(floor, ceiling, smooth_floor, smooth_ceiling)

    @staticmethod
    def guess(raw: Sequence[float]) -> Background:
        """From a moment of audio that may hold speech: its median, assumed unsteady."""
        floor = float(np.median(raw)) if raw else SILENT_DBFS
        return Background(floor, floor + _GUESS_SPREAD_DB, floor, floor + _GUESS_SPREAD_DB)


SILENCE = Background(SILENT_DBFS, SILENT_DBFS, SILENT_DBFS, SILENT_DBFS)


class NoiseModel:
    """The last seconds of levels known to be background (heard outside utterances)."""

    def __init__(self, window_frames: int, ready_frames: int, update_every: int = 5) -> None:
        self.raw: deque[float] = deque(maxlen=window_frames)
        self.smooth: deque[float] = deque(maxlen=window_frames)
        self.ready_frames = ready_frames
        self.background = SILENCE
        self._update_every = update_every
        self._since_update = 0

    @property
    def ready(self) -> bool:
        return len(self.raw) >= self.ready_frames

    def add(self, raw_db: float, smooth_db: float | None) -> None:
        """Add a background frame; its smoothed level only if untouched by louder frames."""
        self.raw.append(raw_db)
        if smooth_db is not None:
            self.smooth.append(smooth_db)
        self._since_update += 1
        if self._since_update >= self._update_every or not self.ready:
            self._update()

    def replace(self, raw: Iterable[float], smooth: Iterable[float]) -> None:
        """Start over from these levels (the noise changed under an 'utterance')."""
        self.raw.clear()
        self.smooth.clear()
        self.raw.extend(raw)
        self.smooth.extend(smooth)
        self._update()

    def clear(self) -> None:
        self.raw.clear()
        self.smooth.clear()
        self.background = SILENCE

    def _update(self) -> None:
        self._since_update = 0
        self.background = Background.of(self.raw, self.smooth)
