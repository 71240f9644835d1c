"""Confidence for grammar searches, which have no lattice posteriors (pure logic).

A grammar always answers with one of its phrases, so the danger is speech outside the
grammar forced onto a phrase ("my back is in spasm" heard as "nine"). Two cheap pieces
of evidence tell it apart:

- `score`: the acoustic score of the grammar's words per frame they span, in
  pocketsphinx's units (log base 1.0001, shifted right 10 bits, relative to the best
  scoring state in each frame: higher is better). A wrong word fits the sound badly.
- `coverage`: the share of the utterance's loud 10 ms frames that fall inside the
  grammar's words. Speech the grammar can't explain is absorbed by silence and noise
  models, so the rest of the loud frames are left uncovered. A frame is loud when it is
  above both the utterance's 10th-percentile level + 12 dB and its peak - 30 dB.

Confidence = 1 / (1 + exp(-(BIAS + W_SCORE * score + W_COVERAGE * coverage))), a
logistic regression of "transcript right" on the two (bench/stt_confidence.py: data and
figures in its docstring).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

BIAS = -5.4
W_SCORE = 0.148
W_COVERAGE = 10.7
LOUD_OVER_FLOOR_DB = 12.0
LOUD_UNDER_PEAK_DB = 30.0
_FLOOR_PERCENTILE = 10


@dataclass(frozen=True, slots=True)
class GrammarEvidence:
    """What a grammar decode's confidence is computed from."""

    score: float
    """Acoustic score per frame of the grammar's words (see module doc)."""
    coverage: float
    """0..1: share of the loud frames inside the grammar's words."""


def grammar_confidence(evidence: GrammarEvidence) -> float:
    """Map the evidence onto 0..1 (an estimate that the phrase is what was said)."""
    z = BIAS + W_SCORE * evidence.score + W_COVERAGE * evidence.coverage
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def coverage(levels_db: npt.NDArray[np.float64], spans: Iterable[tuple[int, int]]) -> float:
    """Share of loud frames inside `spans` (inclusive frame ranges); 0 if none is loud."""
    if levels_db.size == 0:
        return 0.0
    floor = float(np.percentile(levels_db, _FLOOR_PERCENTILE))
    threshold = max(floor + LOUD_OVER_FLOOR_DB, float(levels_db.max()) - LOUD_UNDER_PEAK_DB)
    loud = levels_db > threshold
    inside = np.zeros(levels_db.size, dtype=bool)
    for first, last in spans:
        inside[max(first, 0) : last + 1] = True
    n_loud = int(loud.sum())
    return float((loud & inside).sum() / n_loud) if n_loud else 0.0
