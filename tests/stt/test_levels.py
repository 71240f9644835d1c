"""The noise floor added before pocketsphinx, and per-frame levels."""

from __future__ import annotations

import numpy as np
import pytest

from voiceback.stt.levels import FrameLevels, NoiseFloor
from voiceback.types import RecognizerError


def test_noise_floor_fills_digital_silence_at_the_asked_level() -> None:
    silence = bytes(2 * 16_000)
    noisy = NoiseFloor(-60.0).add(silence).astype(np.float64) / 32768
    assert 20 * np.log10(np.sqrt(np.mean(noisy**2))) == pytest.approx(-60.0, abs=0.5)
    assert np.count_nonzero(noisy) > 0.9 * noisy.size


def test_noise_floor_is_repeatable_and_can_be_off() -> None:
    pcm = (np.arange(1000, dtype="<i2") * 7).tobytes()
    assert np.array_equal(NoiseFloor(-60.0).add(pcm), NoiseFloor(-60.0).add(pcm))
    assert NoiseFloor(None).add(pcm).tobytes() == pcm


def test_noise_floor_refuses_half_samples() -> None:
    with pytest.raises(RecognizerError):
        NoiseFloor(-60.0).add(b"\x00\x01\x02")


def test_frame_levels_carry_partial_frames_over() -> None:
    levels = FrameLevels(160)
    tone = (10_000 * np.sin(np.arange(400) / 5)).astype(np.int16)
    levels.add(tone[:100])
    levels.add(tone[100:])
    values = levels.levels()
    assert values.shape == (2,)
    expected = 10 * np.log10(np.mean((tone[:160].astype(float) / 32768) ** 2))
    assert values[0] == pytest.approx(expected, abs=0.01)
    levels.clear()
    assert levels.levels().size == 0
