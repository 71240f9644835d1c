"""Breathing coach timing on rendered audio, render time, and Piper's first-sentence latency.

    .venv/bin/python bench/breathing_timing.py [MINUTES]

For each voice (espeak-ng through pyttsx3, Piper en_US-joe-medium): a whole session
(default 2 minutes, 4 s in / 6 s out) is rendered to a WAV exactly as
`voiceback coach breathing --out` does, then an energy-based onset detector finds
where speech starts in that WAV, and each cue's onset is compared with its planned
time. Printed: max and mean |onset - plan| over the inhale/exhale phase starts (the
issue's figure: within 150 ms) and over all cues, cues sped up or cut to fit, and the
render time (synthesis + mixing + writing, cold caches).

Then, for the replies of a few answers: the time to the first sentence's audio
(what `Voice.say` waits for before sound starts) against the whole reply's synthesis,
for both voices, and Piper's model load time.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from voiceback import coach
from voiceback.breathing import load_plan
from voiceback.piper_voice import PiperSynthesizer
from voiceback.tts import Pyttsx3Synthesizer, Synthesizer, sentences

ROOT = Path(__file__).resolve().parent.parent
REPLIES = (
    "Ice helps most in the first few days. Wrap the pack in a towel and hold it on the "
    "sore area for 15 minutes at a time. Say more for details.",
    "Try to relax your muscles with slow, deep and controlled breaths. Holding your breath "
    "will only add to the discomfort.",
    "Sit in an upright position with correct posture until the attack passes. You are "
    "better sitting up than lying down.",
)


def timing(name: str, make: Callable[[], Synthesizer], minutes: float) -> None:
    plan = load_plan(ROOT / "intents", minutes=minutes)
    with tempfile.TemporaryDirectory() as tmp:
        report = coach.render_session(plan, make(), 150, 0.9, Path(tmp) / "session.wav")
    cues = report["cues"]
    every = [abs(c["onset_s"] - c["at_s"]) * 1000 for c in cues if c["onset_s"] is not None]
    phase = report["phase_onset_error_ms"]
    sped = sum(c["sped_up"] > 1.0 for c in cues)
    print(
        f"{name:7s} {report['duration_s']:6.1f} s session, {len(cues)} cues: "
        f"phase starts |onset - plan| max {phase['max']:.1f} ms, mean {phase['mean']:.1f} ms "
        f"over {phase['phases']}; all cues max {max(every):.1f} ms "
        f"({len(cues) - len(every)} without onset); sped up {sped}, cut {report['cut']}; "
        f"render {report['render_s']:.2f} s"
    )


def first_sentence(name: str, synth: Synthesizer) -> None:
    firsts, wholes = [], []
    synth.synthesize("Warm up.")
    for reply in REPLIES:
        started = time.perf_counter()
        synth.synthesize(sentences(reply)[0])
        firsts.append(time.perf_counter() - started)
        started = time.perf_counter()
        for sentence in sentences(reply):
            synth.synthesize(sentence)
        wholes.append(time.perf_counter() - started)
    print(
        f"{name:7s} first sentence ready in {statistics.mean(firsts) * 1000:.0f} ms mean "
        f"(max {max(firsts) * 1000:.0f}), whole reply {statistics.mean(wholes) * 1000:.0f} ms "
        f"mean, over {len(REPLIES)} replies"
    )


def main() -> None:
    minutes = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    timing("espeak", lambda: Pyttsx3Synthesizer(rate_wpm=150, volume=0.9), minutes)
    timing("piper", lambda: PiperSynthesizer(rate_wpm=150, volume=0.9), minutes)
    started = time.perf_counter()
    piper = PiperSynthesizer(rate_wpm=150, volume=0.9)
    print(f"piper   model load {time.perf_counter() - started:.2f} s")
    first_sentence("espeak", Pyttsx3Synthesizer(rate_wpm=150, volume=0.9))
    first_sentence("piper", piper)


if __name__ == "__main__":
    main()
