"""No false alarms: minutes of talk about other things through the running loop.

A short cut of bench/soak.py (which runs an hour in both modes): four minutes of
synthesized everyday talk, television speech over music-like tones, fan noise and
quiet go through `HandsFree` in `wake` mode with the real endpointer, pocketsphinx,
NLU, assistant and dialog (speaker off). It must say nothing at all. The same loop
with a gate that lets everything through must speak up, or the counting could not
catch a gate that admits what it shouldn't.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT
from voiceback.hands_free import Gate
from voiceback.knowledge import normalize

sys.path.insert(0, str(REPO_ROOT / "bench"))

from soak import build, soak

MINUTES = 4.0


class OpenGate(Gate):
    """A broken gate: everything heard is taken as a request."""

    def admit(self, text: str, now_s: float) -> str | None:
        return normalize(text) or None


@pytest.fixture(scope="module")
def audio() -> Path:
    return build(MINUTES, seed=4)  # 2.1 min of talk, 1.4 of television, 1.1 quiet


def test_wake_mode_says_nothing_to_minutes_of_other_talk(audio: Path, model_dir: Path) -> None:
    result = soak(audio, "wake", quiet=True)
    assert result["audio_s"] >= MINUTES * 60 - 1
    assert result["utterances"] >= 10  # it did hear plenty of speech (18 here)
    heard = [f"{a.heard} -> {a.said}" for a in result["said"]]
    assert heard == []


def test_a_gate_that_admits_everything_is_caught(audio: Path, model_dir: Path) -> None:
    result = soak(audio, "wake", quiet=True, gate=OpenGate("wake", "hey coach", 8.0), limit_s=90)
    assert result["activations"] >= 1
    assert len(result["said"]) >= 1
