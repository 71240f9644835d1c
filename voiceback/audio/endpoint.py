"""Endpointing as pure logic: where an utterance starts and ends in a stream of 16 kHz PCM.

Per 20 ms frame it measures the level in the speech band (200-4000 Hz: mains hum and
rumble count little) and compares it with a model of the background built from the
last seconds heard outside utterances (`NoiseModel`): its floor (10th percentile)
and its ceiling (90th), so that noise that never stops - a fan, hum, a television
next door - sets the bar instead of being taken for speech.

- Start: frames over both `floor + start_db` and `ceiling + start_margin_db` add up to
  `min_speech_s` within `start_window_s`. A click or a short cough does not; a short
  "yes" does. While a short answer is expected (`expect_short_answer`: a pain score, a
  yes or no) `short_answer_speech_s` is enough: in noise a one-word "two" or "eight"
  is over the bar for less than `min_speech_s`. The start is dated at the first of
  those frames and the utterance keeps `preroll_s` of audio before it.
- Still speaking: the level smoothed over 100 ms stays over the (smoothed) floor and
  ceiling by `continue_db` / `continue_margin_db`.
- End: nothing spoken for the hangover. The caller may change the hangover while an
  utterance is going on (`set_hangover`): wait less once the words so far make a
  complete, confident request, longer when not. Past `max_utterance_s` it ends anyway.
- If an "utterance" has no quiet moment for `noise_step_s` and its level is steady, the
  background got louder (a fan switched on): the noise model restarts from those frames
  and the "utterance" soon ends. A louder unsteady background (a television) is only
  ended by `max_utterance_s`; then the noise model catches up.
- Until 0.2 s of background is known (a stream's start), frames are judged against a
  cautious guess: the median so far, assumed to swing like babble.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from voiceback.audio.levels import SILENCE, SILENT_DBFS, Background, BandMeter, NoiseModel, Smoother
from voiceback.types import SAMPLE_RATE_HZ, AudioChunk

_SMOOTH_FRAMES = 5


@dataclass(frozen=True, slots=True)
class EndpointerConfig:
    """Tuning; defaults tuned on synthesized speech in noise (bench/endpoint_accuracy.py)."""

    frame_ms: int = 20
    start_db: float = 5.0
    """A frame counts toward a start when this much over the noise floor..."""
    start_margin_db: float = 3.0
    """...and this much over the noise ceiling (what the noise alone reaches)."""
    continue_db: float = 3.0
    continue_margin_db: float = 2.5
    min_level_dbfs: float = -55.0
    """Frames quieter than this (band level) are never speech, whatever the noise."""
    min_speech_s: float = 0.18
    """Loud time needed to start; clicks and coughs shorter than this are ignored."""
    short_answer_speech_s: float = 0.10
    """Loud time needed while a short answer is expected (`expect_short_answer`): a cough
    may then start an utterance, which the answer grammar hears as unsure."""
    start_window_s: float = 0.6
    hangover_s: float = 1.4
    """Default trailing silence that ends an utterance."""
    max_utterance_s: float = 15.0
    preroll_s: float = 0.3
    noise_window_s: float = 5.0
    noise_step_s: float = 4.0
    """An "utterance" with no quiet moment this long..."""
    noise_step_spread_db: float = 5.0
    """...and its level stayed this steady (speech swings far more): a fan, not a voice."""


class EndReason(StrEnum):
    SILENCE = "silence"
    MAX_LENGTH = "max_length"
    END_OF_AUDIO = "end_of_audio"


@dataclass(frozen=True, slots=True)
class SpeechStarted:
    """Speech began at `start_s` (source seconds)."""

    start_s: float
    pcm: bytes
    """16 kHz mono s16le from `audio_start_s` (pre-roll) up to now: feed it to a recognizer."""
    audio_start_s: float


@dataclass(frozen=True, slots=True)
class SpeechEnded:
    """The utterance is over: speech ran from `start_s` to `end_s` (source seconds)."""

    start_s: float
    end_s: float
    """End of the last stretch judged speech (not when the end was decided)."""
    pcm: bytes
    """The whole utterance, pre-roll to the moment the end was decided."""
    audio_start_s: float
    reason: EndReason


EndpointEvent = SpeechStarted | SpeechEnded


@dataclass(slots=True)
class _Frame:
    pcm: bytes
    raw_db: float
    smooth_db: float


class Endpointer:
    """Feed 16 kHz mono s16le in any block size; get SpeechStarted / SpeechEnded events."""

    def __init__(self, config: EndpointerConfig | None = None) -> None:
        self.config = c = config or EndpointerConfig()
        self.frame_samples = SAMPLE_RATE_HZ * c.frame_ms // 1000
        self._frame_s = c.frame_ms / 1000
        self._meter = BandMeter(self.frame_samples)
        self.noise = NoiseModel(self._frames_in(c.noise_window_s), self._frames_in(0.2))
        self.default_hangover_s = c.hangover_s
        self._min_speech_frames = self._frames_in(c.min_speech_s)
        self.reset()

    def _frames_in(self, seconds: float) -> int:
        return max(1, round(seconds / self._frame_s))

    # --- control -------------------------------------------------------------------

    def reset(self, keep_noise: bool = True) -> None:
        """Forget any utterance in progress (e.g. after the coach spoke); time restarts."""
        c = self.config
        if not keep_noise:
            self.noise.clear()
        self._recent: deque[_Frame] = deque(maxlen=self._frames_in(c.preroll_s + c.start_window_s))
        self._window: deque[tuple[_Frame, bool]] = deque(maxlen=self._frames_in(c.start_window_s))
        """Frames of the last `start_window_s` while idle, and whether each was loud."""
        self._utterance: list[_Frame] | None = None
        self._smoother = Smoother(_SMOOTH_FRAMES)
        self._pending = b""
        self._frames = 0
        self._base_s: float | None = None
        self._start_s = self._audio_start_s = self._last_active_s = 0.0
        self._quiet_at = 0
        self._step_frames = self._frames_in(c.noise_step_s)
        self._hangover_s = self.default_hangover_s
        self._speech_background = SILENCE
        self.level_dbfs = SILENT_DBFS

    def set_hangover(self, seconds: float) -> None:
        """Trailing silence to wait for, for the current (or else the next) utterance only.

        Call it from partial results: short (~0.5 s) once the words so far are a
        complete, confident request, long (~1.4 s) when they are not. It reverts to
        `default_hangover_s` when the utterance ends.
        """
        if seconds <= 0:
            raise ValueError(f"hangover must be positive, got {seconds}")
        self._hangover_s = seconds

    def expect_short_answer(self, expected: bool) -> None:
        """From the next start on, let `short_answer_speech_s` of loud time start an
        utterance (True, a question was asked) or `min_speech_s` (False). Kept until
        changed, across utterances and `reset`."""
        c = self.config
        self._min_speech_frames = self._frames_in(
            c.short_answer_speech_s if expected else c.min_speech_s
        )

    @property
    def in_speech(self) -> bool:
        return self._utterance is not None

    @property
    def time_s(self) -> float:
        """Source time at the end of the audio consumed so far: the first chunk's
        `start_s` (0 for bytes) plus the audio fed since (gaps are not seen)."""
        return (self._base_s or 0.0) + self._frames * self._frame_s

    # --- feeding -------------------------------------------------------------------

    def feed(self, audio: AudioChunk | bytes) -> list[EndpointEvent]:
        """Consume audio; return the events it caused, in order."""
        pcm = audio.pcm if isinstance(audio, AudioChunk) else audio
        if self._base_s is None:
            start = audio.start_s if isinstance(audio, AudioChunk) else 0.0
            self._base_s = start - len(self._pending) / 2 / SAMPLE_RATE_HZ
        data = self._pending + pcm
        frame_bytes = 2 * self.frame_samples
        whole = len(data) // frame_bytes * frame_bytes
        self._pending = data[whole:]
        if not whole:
            return []
        samples = np.frombuffer(data[:whole], "<i2").reshape(-1, self.frame_samples)
        events: list[EndpointEvent] = []
        for i, level in enumerate(self._meter.levels(samples)):
            raw_db = float(level)
            frame = _Frame(data[i * frame_bytes : (i + 1) * frame_bytes], raw_db, 0.0)
            frame.smooth_db = self._smoother.add(raw_db)
            event = self._step(frame)
            if event is not None:
                events.append(event)
        return events

    def finish(self) -> list[EndpointEvent]:
        """The audio source ended: close an utterance in progress (reason END_OF_AUDIO)."""
        if self._utterance is None:
            return []
        return [self._end(self._speech_end_s(), EndReason.END_OF_AUDIO)]

    def _step(self, frame: _Frame) -> EndpointEvent | None:
        self.level_dbfs = frame.raw_db
        self._frames += 1
        if self._utterance is None:
            return self._step_idle(frame)
        return self._step_speech(self._utterance, frame)

    def _step_idle(self, frame: _Frame) -> SpeechStarted | None:
        c = self.config
        self._recent.append(frame)
        if len(self._window) == self._window.maxlen:
            old, old_loud = self._window.popleft()
            if old_loud:  # no start came of it: background after all
                self.noise.add(old.raw_db, old.smooth_db)
        loud = frame.raw_db > self._start_threshold()
        self._window.append((frame, loud))
        flags = [flag for _, flag in self._window]
        if not loud:
            smoothed_quiet = not any(flags[-_SMOOTH_FRAMES:])
            self.noise.add(frame.raw_db, frame.smooth_db if smoothed_quiet else None)
        if sum(flags) < self._min_speech_frames:
            return None
        speech_frames = len(flags) - flags.index(True)
        kept = min(len(self._recent), speech_frames + self._frames_in(c.preroll_s))
        now = self.time_s
        self._start_s = now - speech_frames * self._frame_s
        self._audio_start_s = now - kept * self._frame_s
        self._last_active_s = now
        self._quiet_at = self._frames
        self._speech_background = self._background()
        self._utterance = list(self._recent)[-kept:]
        self._window.clear()
        return SpeechStarted(self._start_s, self._pcm(), self._audio_start_s)

    def _step_speech(self, utterance: list[_Frame], frame: _Frame) -> SpeechEnded | None:
        c = self.config
        utterance.append(frame)
        now = self.time_s
        if frame.smooth_db > self._continue_threshold():
            self._last_active_s = now
        else:
            self._quiet_at = self._frames
        if self._frames - self._quiet_at >= self._step_frames:
            self._check_noise_step(utterance[-self._step_frames :])
        if now - self._last_active_s >= self._hangover_s:
            return self._end(self._speech_end_s(), EndReason.SILENCE)
        if now - self._start_s >= c.max_utterance_s:
            return self._end(now, EndReason.MAX_LENGTH)
        return None

    def _check_noise_step(self, frames: list[_Frame]) -> None:
        """No quiet moment for `noise_step_s`: if the level was steady, it is new noise."""
        self._quiet_at = self._frames
        low, high = np.percentile([f.smooth_db for f in frames], (10, 90))
        if high - low < self.config.noise_step_spread_db:
            self.noise.replace((f.raw_db for f in frames), (f.smooth_db for f in frames))
            self._speech_background = self.noise.background

    def _background(self) -> Background:
        """The noise model, or a guess from the audio so far while it has too little."""
        if self.noise.ready:
            return self.noise.background
        return Background.guess([*self.noise.raw, *(f.raw_db for f, _ in self._window)])

    def _start_threshold(self) -> float:
        c, b = self.config, self._background()
        return max(b.floor + c.start_db, b.ceiling + c.start_margin_db, c.min_level_dbfs)

    def _continue_threshold(self) -> float:
        c, b = self.config, self._speech_background
        return max(
            b.smooth_floor + c.continue_db,
            b.smooth_ceiling + c.continue_margin_db,
            c.min_level_dbfs,
        )

    def _speech_end_s(self) -> float:
        """Last active time, less the smoother's lag (a trailing mean of 5 frames)."""
        lag_s = (_SMOOTH_FRAMES - 1) / 2 * self._frame_s
        return max(self._start_s, self._last_active_s - lag_s)

    def _end(self, end_s: float, reason: EndReason) -> SpeechEnded:
        pcm = self._pcm()
        self._utterance = None
        self._hangover_s = self.default_hangover_s
        self._recent.clear()
        self._window.clear()
        return SpeechEnded(self._start_s, end_s, pcm, self._audio_start_s, reason)

    def _pcm(self) -> bytes:
        return b"".join(f.pcm for f in self._utterance or [])
