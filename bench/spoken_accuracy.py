"""Spoken intent accuracy on synthesized checks, clean and in noise (prints figures).

    .venv/bin/python bench/spoken_accuracy.py [PER_LABEL] [ENGINES...]

Each label's first PER_LABEL checks (default 4) are spoken by the Piper voice
en_US-joe-medium (and optionally espeak-ng voices), pink noise is added at 10 and
5 dB SNR, and every file goes through the same pipeline as `voiceback listen`
(WAV source, endpointer, pocketsphinx with the domain model, NLU). Prints intent
accuracy, red-flag recall and recognizer real-time factor per condition.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.knowledge import load_knowledge
from voiceback.listening import Listener, Utterance, understand_best
from voiceback.nlu import NLU
from voiceback.stt import make_recognizer
from voiceback.types import InputError, Understanding

CONDITIONS = ((None, 0.0), ("pink", 10.0), ("pink", 5.0))


def main() -> None:
    per_label = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    voices = sys.argv[2:] or ["piper"]
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir)
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    checks = [(t, n) for n, i in knowledge.intents.items() for t in i.checks[:per_label]]
    for voice in voices:
        engine, name = ("piper", "en-us") if voice == "piper" else ("espeak", voice)
        for noise, snr in CONDITIONS:
            right = flagged = flags = false_flags = 0
            audio_s = cpu_s = 0.0
            for text, label in checks:
                sample = speech(text, engine=engine, voice=name, noise=noise, snr_db=snr)
                started = time.process_time()
                with WavSource(sample.path) as source:
                    heard = list(Listener(Endpointer(), recognizer).utterances(source))
                cpu_s += time.process_time() - started
                audio_s += sample.duration_s
                try:
                    understood = understand(nlu, heard)
                    intent, red = understood.intent, understood.red_flag
                except InputError:
                    intent, red = None, False
                right += intent == label
                if label == "red_flag":
                    flags += 1
                    flagged += red
                else:
                    false_flags += red
            where = "clean" if noise is None else f"{noise} {snr:.0f} dB"
            print(
                f"{voice:14s} {where:12s} intent accuracy {right / len(checks):.3f} "
                f"(n={len(checks)})  red-flag recall {flagged}/{flags}, "
                f"false {false_flags}/{len(checks) - flags}  "
                f"CPU/audio {cpu_s / audio_s:.3f}",
                flush=True,
            )


def understand(nlu: NLU, heard: list[Utterance]) -> Understanding:
    """As `listen` does: one utterance with its n-best; several joined (best only)."""
    if len(heard) == 1:
        return understand_best(nlu.understand, heard[0].transcript)
    return nlu.understand(" ".join(u.transcript.text for u in heard))


if __name__ == "__main__":
    main()
