"""Noise suppression on real synthesized speech and noise (voiceback/audio/denoise.py)."""

from __future__ import annotations

import numpy as np
from audio_synth import speech

from voiceback.audio.convert import to_int16
from voiceback.audio.denoise import FRAME, HOP, NoiseSuppressor

DELAY = FRAME  # samples: the suppressor's output lags its input by two hops
RATE = 16_000


def run(samples: np.ndarray, chunk: int = 480) -> np.ndarray:
    suppressor = NoiseSuppressor()
    pcm = to_int16(samples).tobytes()
    step = 2 * chunk
    out = b"".join(suppressor.process(pcm[i : i + step]) for i in range(0, len(pcm), step))
    assert len(out) == len(pcm)
    return np.frombuffer(out, "<i2").astype(np.float64) / 32768


def power_db(x: np.ndarray) -> float:
    return float(10 * np.log10(np.mean(x**2) + 1e-15))


def test_delay_is_two_hops() -> None:
    assert DELAY == 2 * HOP


def test_clean_speech_passes_nearly_unchanged() -> None:
    sample = speech("should i put ice or heat on my back", level_dbfs=-22)
    x = sample.samples()
    y = run(x)[DELAY:]
    x = x[: len(y)]
    start, end = (int(t * RATE) for t in (sample.speech_start_s, sample.speech_end_s))
    error_db = power_db(y[start:end] - x[start:end]) - power_db(x[start:end])
    assert error_db < -12, error_db


def test_steady_noise_is_taken_down_and_speech_kept() -> None:
    noisy = speech("how long does a back spasm last", noise="pink", snr_db=10.0, lead_s=2.0)
    clean = speech("how long does a back spasm last", lead_s=2.0)
    x, reference = noisy.samples(), clean.samples()
    y = run(x)[DELAY:]
    quiet = slice(int(1.0 * RATE), int(1.8 * RATE))  # noise only, after the tracker has learnt
    talk = slice(int(noisy.speech_start_s * RATE), int(noisy.speech_end_s * RATE))
    assert power_db(x[quiet]) - power_db(y[quiet]) > 1.5  # the noise goes down
    n = min(len(y), len(reference))
    before = power_db(x[talk] - reference[talk]) - power_db(reference[talk])
    after = power_db(y[:n][talk] - reference[:n][talk]) - power_db(reference[:n][talk])
    assert after < before - 1.0, (before, after)  # closer to the clean speech


def test_output_does_not_depend_on_chunk_size() -> None:
    x = speech("hello there", noise="pink", snr_db=10.0).samples()
    np.testing.assert_array_equal(run(x, chunk=480), run(x, chunk=173))
