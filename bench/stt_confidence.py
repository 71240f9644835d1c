"""Fit and check pocketsphinx's grammar confidence (voiceback/stt/confidence.py).

    .venv/bin/python bench/stt_confidence.py

Decodes synthesized phrases inside and outside two per-turn grammars (yes/no/numbers,
playback controls) in several voices and noises, collects each decode's evidence (word
score per frame, coverage of loud frames), fits the logistic regression of "transcript
right" on it, and prints the coefficients, the area under the ROC curve (in sample and
leaving each condition out), how calibrated the current constants are, and the grammar
search's real-time factor.

Last run, which gave the constants in confidence.py: 343 decodes (7 conditions x
2 grammars), 189 wrong, nearly all out-of-grammar speech. AUC 0.971 in sample, 0.966
leaving each condition out. Of decodes given 0.9 or more, 98% were right; of those
under 0.1, 2%. At a 0.5 threshold 17 wrong answers got through and 13 right ones
were refused. In-grammar accuracy 0.87 (espeak-ng en-us+m3) to 1.00 (Piper, also at
10 dB pink noise); grammar search real-time factor 0.03.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from audio_synth import speech

from voiceback.stt.confidence import BIAS, W_COVERAGE, W_SCORE
from voiceback.stt.pocketsphinx import PocketsphinxRecognizer

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
GRAMMARS = {
    "yes-no-numbers": ("yes", "no", *NUMBERS),
    "controls": (
        "stop", "pause", "continue", "repeat that", "next step", "go back", "louder",
        "quieter", "help", "cancel the timer",
    ),
}  # fmt: skip
OUTSIDE = (
    "my back is in spasm", "how long should i put ice on it", "is this serious",
    "hello there", "what time is it", "seventeen", "a bit", "it hurts",
    "i can't feel my legs", "maybe", "can i take ibuprofen", "should i use heat or ice",
    "i need to lie down",
)  # fmt: skip
CONDITIONS: dict[str, dict[str, object]] = {
    "piper": {"engine": "piper"},
    "espeak": {"engine": "espeak"},
    "espeak-f3": {"engine": "espeak", "voice": "en-us+f3"},
    "espeak-m3": {"engine": "espeak", "voice": "en-us+m3"},
    "piper-pink10": {"engine": "piper", "noise": "pink", "snr_db": 10.0},
    "piper-babble15": {"engine": "piper", "noise": "babble", "snr_db": 15.0},
    "piper-short-pads": {"engine": "piper", "lead_s": 0.2, "tail_s": 0.3},
}
CHUNK_BYTES = 640


@dataclass(frozen=True)
class Decode:
    condition: str
    inside: bool
    right: bool
    score: float
    coverage: float


def decode_all(recognizer: PocketsphinxRecognizer) -> tuple[list[Decode], float]:
    decodes: list[Decode] = []
    busy_s = audio_s = 0.0
    for phrases in GRAMMARS.values():
        recognizer.restrict(phrases)
        for condition, recipe in CONDITIONS.items():
            for text in (*phrases, *OUTSIDE):
                pcm = _pcm(speech(text, **recipe).samples())
                start = time.perf_counter()
                for i in range(0, len(pcm), CHUNK_BYTES):
                    recognizer.accept(pcm[i : i + CHUNK_BYTES])
                transcript = recognizer.finish()
                busy_s += time.perf_counter() - start
                audio_s += transcript.audio_seconds
                evidence = recognizer.last_evidence
                score, cover = (evidence.score, evidence.coverage) if evidence else (-400.0, 0.0)
                right = transcript.text == text
                decodes.append(Decode(condition, text in phrases, right, max(score, -400.0), cover))
    return decodes, busy_s / audio_s


def _pcm(samples: npt.NDArray[np.float32]) -> bytes:
    return np.clip(np.rint(samples * 32768.0), -32768, 32767).astype("<i2").tobytes()


def fit(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Logistic regression by Newton's method: weights (bias, w1, w2, ...)."""
    design = np.column_stack([np.ones(len(x)), x])
    w = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-design @ w))
        hessian = (design * (p * (1 - p))[:, None]).T @ design + 1e-4 * np.eye(len(w))
        w += np.linalg.solve(hessian, design.T @ (y - p))
    return w


def predict(w: npt.NDArray[np.float64], x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return 1.0 / (1.0 + np.exp(-(np.column_stack([np.ones(len(x)), x]) @ w)))


def auc(p: npt.NDArray[np.float64], y: npt.NDArray[np.float64]) -> float:
    pos, neg = p[y == 1], p[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def report(decodes: list[Decode], rtf: float) -> None:
    x = np.array([[d.score, d.coverage] for d in decodes])
    y = np.array([float(d.right) for d in decodes])
    conditions = np.array([d.condition for d in decodes])
    w = fit(x, y)
    held_out = np.zeros(len(y))
    for condition in CONDITIONS:
        mask = conditions == condition
        held_out[mask] = predict(fit(x[~mask], y[~mask]), x[mask])
    current = predict(np.array([BIAS, W_SCORE, W_COVERAGE]), x)
    print(f"{len(decodes)} decodes, {int((y == 0).sum())} wrong; grammar search RTF {rtf:.3f}")
    for condition in CONDITIONS:
        inside = [d.right for d in decodes if d.condition == condition and d.inside]
        print(f"  in-grammar accuracy {condition:17} {sum(inside) / len(inside):.2f}")
    print(f"fit: BIAS = {w[0]:.1f}  W_SCORE = {w[1]:.3f}  W_COVERAGE = {w[2]:.1f}")
    print(f"AUC in sample {auc(predict(w, x), y):.3f}, "
          f"leaving each condition out {auc(held_out, y):.3f}")  # fmt: skip
    print(f"current constants: AUC {auc(current, y):.3f}")
    for low, high in ((0.0, 0.1), (0.1, 0.5), (0.5, 0.9), (0.9, 1.01)):
        band = (current >= low) & (current < high)
        if band.any():
            print(f"  confidence {low:.1f}-{min(high, 1):.1f}: {band.sum():3d} decodes, "
                  f"{y[band].mean():.2f} right")  # fmt: skip
    accepted = current >= 0.5
    print(f"  at 0.5: {int((accepted & (y == 0)).sum())} wrong accepted, "
          f"{int((~accepted & (y == 1)).sum())} right rejected")  # fmt: skip


def main() -> None:
    decodes, rtf = decode_all(PocketsphinxRecognizer())
    report(decodes, rtf)


if __name__ == "__main__":
    main()
