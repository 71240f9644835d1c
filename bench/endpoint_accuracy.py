"""Endpointer accuracy against the synthesized truth, per noise and SNR, and its CPU cost.

    .venv/bin/python bench/endpoint_accuracy.py [--quick]

For each synthesized request (Piper joe, espeak-ng en-us and en-gb-scotland) in white,
pink, babble and hum noise at 20, 10 and 5 dB SNR (and clean), it runs WavSource ->
Endpointer and prints: how often exactly one utterance was found covering the speech,
and the median / 90th percentile of |start error| and |end error| in ms; then the false
starts on noise sprinkled with clicks and short coughs.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from audio_synth import Recipe, Sample, make, make_noise, transient

from voiceback.audio import Endpointer, SpeechEnded, SpeechStarted, WavSource
from voiceback.audio.convert import to_int16

SENTENCES = (
    "my lower back has gone into spasm and I can hardly move",
    "should I put ice on it or heat",
    "start the breathing exercise",
    "is it safe to take ibuprofen",
    "set a timer for twenty minutes",
    "I have numbness in my leg",
    "yes",
    "how long will this last",
)
VOICES = (("piper", "en-us"), ("espeak", "en-us"), ("espeak", "en-gb-scotland"))
NOISES = ("white", "pink", "babble", "hum")
SNRS = (20.0, 10.0, 5.0)
LEAD_S = 1.5
"""Noise before the speech: the endpointer has been listening a while when a request comes."""


def detect(sample: Sample) -> tuple[list[SpeechStarted], list[SpeechEnded], float]:
    """Events found in a file, and the CPU seconds the endpointer took."""
    endpointer = Endpointer()
    starts: list[SpeechStarted] = []
    ends: list[SpeechEnded] = []
    chunks = list(WavSource(sample.path))
    cpu0 = time.process_time()
    for chunk in chunks:
        for event in endpointer.feed(chunk):
            if isinstance(event, SpeechStarted):
                starts.append(event)
            else:
                ends.append(event)
    ends += [e for e in endpointer.finish() if isinstance(e, SpeechEnded)]
    return starts, ends, time.process_time() - cpu0


def evaluate(recipes: list[Recipe]) -> dict[str, float]:
    start_err, end_err, good, cpu, audio = [], [], 0, 0.0, 0.0
    for recipe in recipes:
        sample = make(recipe)
        starts, ends, cpu_s = detect(sample)
        cpu += cpu_s
        audio += sample.duration_s
        if len(ends) == 1 and len(starts) == 1:
            good += 1
            start_err.append(abs(ends[0].start_s - sample.speech_start_s) * 1000)
            end_err.append(abs(ends[0].end_s - sample.speech_end_s) * 1000)
    return {
        "one_utterance": good / len(recipes),
        "start_p50_ms": _pct(start_err, 50),
        "start_p90_ms": _pct(start_err, 90),
        "end_p50_ms": _pct(end_err, 50),
        "end_p90_ms": _pct(end_err, 90),
        "cpu_per_audio_s": cpu / audio,
    }


def false_starts(noise: str, seconds: int = 20) -> int:
    """Starts found in `seconds` of noise with a click or a 120/150 ms cough every second."""
    rng = np.random.default_rng(1)
    room = make_noise(noise, 16_000 * seconds, 16_000, rng) * 10 ** (-45 / 20)
    for k in range(seconds - 1):
        kind, ms = [("click", 3.0), ("cough", 120.0), ("cough", 150.0)][k % 3]
        burst = transient(kind, 16_000, rng, ms=ms) * 10 ** (-8 / 20)
        at = round((k + 0.5) * 16_000)
        room[at : at + len(burst)] += burst
    endpointer = Endpointer()
    pcm = to_int16(room).tobytes()
    events = [e for i in range(0, len(pcm), 960) for e in endpointer.feed(pcm[i : i + 960])]
    return sum(isinstance(e, SpeechStarted) for e in events)


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="2 sentences per condition")
    args = ap.parse_args()
    sentences = SENTENCES[:2] if args.quick else SENTENCES
    print(f"{'condition':<22}{'one utt':>8}{'start p50/p90':>16}{'end p50/p90':>16}{'cpu':>8}")
    conditions: list[tuple[str, str | None, float]] = [("clean", None, 99.0)]
    conditions += [(f"{n} {s:.0f} dB", n, s) for s in SNRS for n in NOISES]
    for label, noise, snr in conditions:
        recipes = [
            Recipe(
                parts=(text,),
                engine=engine,
                voice=voice,
                noise=noise,
                snr_db=snr,
                seed=i,
                lead_s=LEAD_S,
                tail_s=2.0,
            )
            for i, text in enumerate(sentences)
            for engine, voice in VOICES
        ]
        r = evaluate(recipes)
        print(
            f"{label:<22}{r['one_utterance']:>8.2f}"
            f"{r['start_p50_ms']:>8.0f}/{r['start_p90_ms']:<7.0f}"
            f"{r['end_p50_ms']:>8.0f}/{r['end_p90_ms']:<7.0f}"
            f"{r['cpu_per_audio_s'] * 100:>7.2f}%"
        )
    for noise in NOISES:
        print(f"false starts, 20 s of {noise} with 19 clicks/coughs: {false_starts(noise)}")


if __name__ == "__main__":
    main()
