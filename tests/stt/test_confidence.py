"""The grammar confidence map and its evidence (pure logic)."""

from __future__ import annotations

import numpy as np
import pytest

from voiceback.stt.confidence import GrammarEvidence, coverage, grammar_confidence


def test_confidence_rises_with_score_and_coverage() -> None:
    by_score = [grammar_confidence(GrammarEvidence(s, 1.0)) for s in (-200, -80, -40, -10)]
    by_cover = [grammar_confidence(GrammarEvidence(-40, c)) for c in (0.0, 0.3, 0.7, 1.0)]
    assert by_score == sorted(by_score) and by_cover == sorted(by_cover)
    assert by_score[0] < 0.01 and by_score[-1] > 0.9
    assert by_cover[0] < 0.01


def test_confidence_stays_in_0_1_for_extreme_evidence() -> None:
    assert grammar_confidence(GrammarEvidence(-1e9, 0.0)) == pytest.approx(0.0, abs=1e-20)
    assert grammar_confidence(GrammarEvidence(1e9, 1.0)) == pytest.approx(1.0)


def test_coverage_is_the_share_of_loud_frames_inside_the_words() -> None:
    levels = np.full(100, -60.0)
    levels[20:40] = -20.0  # a word
    levels[60:80] = -20.0  # speech the grammar could not explain
    assert coverage(levels, [(18, 41)]) == pytest.approx(0.5)
    assert coverage(levels, [(18, 41), (58, 81)]) == pytest.approx(1.0)
    assert coverage(levels, []) == 0.0


def test_coverage_of_silence_is_zero() -> None:
    assert coverage(np.full(50, -60.0), [(0, 49)]) == 0.0
    assert coverage(np.empty(0), [(0, 10)]) == 0.0
