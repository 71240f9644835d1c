"""Latency from the true end of speech to the reply, replayed in real time (prints figures).

    .venv/bin/python bench/latency.py [N]

N Piper-voiced checks (with their true speech end known from synthesis) are replayed
through the WAV source at real-time pace, as a microphone would deliver them, into
the same endpointer (adaptive hangover, with a second recognizer's opinion), pocketsphinx
model, NLU and dialog as `run`.
For each: "decided" = wall time from the true end of speech to the reply text being
chosen; "first audio" = that plus synthesizing the reply's first sentence with
espeak-ng (playback start on a real device is not included). Also prints peak RSS.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.dialog import Dialog
from voiceback.knowledge import load_knowledge
from voiceback.listening import Listener, complete_request
from voiceback.nlu import NLU
from voiceback.stt import make_recognizer
from voiceback.tts import Pyttsx3Synthesizer, sentences
from voiceback.types import InputError


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir)
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    second = make_recognizer("pocketsphinx", settings.models_dir, spare=True)
    synth = Pyttsx3Synthesizer()
    texts = [t for _, i in knowledge.intents.items() for t in i.checks[:2]][:n]
    decided_ms, first_audio_ms = [], []
    for text in texts:
        sample = speech(text, tail_s=2.0)
        listener = Listener(
            Endpointer(),
            recognizer,
            is_complete=complete_request(nlu.understand),
            second_opinion=second,
        )
        started = time.monotonic()
        with WavSource(sample.path, realtime=True) as source:
            utterance = next(iter(listener.utterances(source)), None)
        if utterance is None:
            continue
        try:
            reply = Dialog(knowledge).respond(nlu.understand(utterance.transcript.text)).text
        except InputError:
            reply = "Sorry, could you say that again?"
        decided = time.monotonic()
        synth.synthesize(sentences(reply)[0])
        first_audio = time.monotonic()
        true_end = started + sample.speech_end_s
        decided_ms.append((decided - true_end) * 1000)
        first_audio_ms.append((first_audio - true_end) * 1000)
    print(
        f"end of speech -> reply decided: p50 {sorted(decided_ms)[len(decided_ms) // 2]:.0f} ms, "
        f"p95 {p95(decided_ms):.0f} ms (n={len(decided_ms)})"
    )
    print(f"end of speech -> first reply audio synthesized: p95 {p95(first_audio_ms):.0f} ms")
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (models loaded, as in `run`): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
