"""Spoken intent accuracy on synthesized checks, clean and in noise (prints figures).

    .venv/bin/python bench/spoken_accuracy.py [PER_LABEL | FROM:TO] [ENGINES...]

Each label's first PER_LABEL checks (default 4; FROM:TO for another slice, e.g. 4:8,
the next four, which were never used to tune anything, or 8: for the rest) are spoken
by the Piper voice en_US-joe-medium (and optionally espeak-ng voices), pink noise is
added at 10 and 5 dB SNR, and every file goes through the same pipeline as `voiceback listen`
(WAV source, endpointer, pocketsphinx with the domain model, NLU). Prints intent
accuracy, red-flag recall and recognizer real-time factor per condition.

Red flags are counted on every red_flag check (49), not only the first PER_LABEL:
"urgent" when the rules found a report in some reading, "asked about" when a reading
leaned to red_flag without one (the reply asks about the warning signs, see
`listening.leans_to_red_flag`). False ones are counted on the other labels' checks.
"As `listen` acts" splits the checks into answered right, asked again (recognizer or
classifier unsure, `listening.doubt`, or asked about a red flag; also when the endpointer
found no utterance at all, counted apart as "nothing heard") and answered wrong.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.hands_free import MIN_STT_CONFIDENCE
from voiceback.knowledge import Knowledge, load_knowledge
from voiceback.listening import Listener, understand_heard
from voiceback.nlu import NLU
from voiceback.stt import make_recognizer
from voiceback.types import InputError

CONDITIONS = ((None, 0.0), ("pink", 10.0), ("pink", 5.0))


def spoken_checks(
    knowledge: Knowledge, which: str
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(text, label) of each label's checks in `which` (PER_LABEL or FROM:TO), and the
    other red_flag checks, decoded too so red-flag recall counts all of them."""
    first, _, last = which.rpartition(":")
    chosen = slice(int(first or 0), int(last) if last else None)
    checks = [(t, n) for n, i in knowledge.intents.items() for t in i.checks[chosen]]
    flag_checks = knowledge.intents["red_flag"].checks
    return checks, [(t, "red_flag") for t in flag_checks if t not in flag_checks[chosen]]


def main() -> None:
    voices = sys.argv[2:] or ["piper"]
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir)
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    checks, more_flags = spoken_checks(knowledge, sys.argv[1] if len(sys.argv) > 1 else "4")
    for voice in voices:
        engine, name = ("piper", "en-us") if voice == "piper" else ("espeak", voice)
        for noise, snr in CONDITIONS:
            right = flagged = asked = flags = false_flags = false_asks = 0
            acted = {"right": 0, "again": 0, "wrong": 0}
            unheard = 0  # no utterance found: the person has to say it again
            audio_s = cpu_s = 0.0
            for index, (text, label) in enumerate(checks + more_flags):
                sample = speech(text, engine=engine, voice=name, noise=noise, snr_db=snr)
                started = time.process_time()
                with WavSource(sample.path) as source:
                    heard = list(Listener(Endpointer(), recognizer).utterances(source))
                cpu_s += time.process_time() - started
                audio_s += sample.duration_s
                try:
                    understood = understand_heard(nlu.understand, heard)
                    intent, red = understood.intent, understood.red_flag
                    check, again = understood.check_red_flag, understood.fallback
                except InputError:
                    intent, red, check, again = None, False, False, True
                if index < len(checks):
                    right += intent == label
                    unheard += not heard
                    unsure = min((u.transcript.confidence for u in heard), default=0.0) < (
                        MIN_STT_CONFIDENCE
                    )
                    again = again or check or (unsure and not red)
                    acted["again" if again else "right" if intent == label else "wrong"] += 1
                if label == "red_flag":
                    flags, flagged, asked = flags + 1, flagged + red, asked + check
                else:
                    false_flags, false_asks = false_flags + red, false_asks + check
            where = "clean" if noise is None else f"{noise} {snr:.0f} dB"
            others = sum(label != "red_flag" for _, label in checks)
            print(
                f"{voice:14s} {where:12s} intent accuracy {right / len(checks):.3f} "
                f"(n={len(checks)})  red flags: urgent {flagged}/{flags}, asked about "
                f"{asked} more; false: urgent {false_flags}/{others}, asked {false_asks}  "
                f"CPU/audio {cpu_s / audio_s:.3f}\n{'':27s} as `listen` acts: answered right "
                f"{acted['right']}, asked again {acted['again']} (nothing heard: {unheard}), "
                f"answered wrong {acted['wrong']}",
                flush=True,
            )


if __name__ == "__main__":
    main()
