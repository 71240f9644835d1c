"""How often a slow speaker who pauses mid-sentence is cut off (prints figures).

    .venv/bin/python bench/slow_speakers.py [QUICK_HANGOVER_S CHECK_EVERY_S]

Nine requests spoken slowly (Piper, speed 0.75) with a 1.2 s pause after an unfinished
phrase ("what can i do for the | pain in my back") go through the listener as in `run`
(endpointer, pocketsphinx, a second-opinion recognizer, the classifier deciding
completeness). A recognizer's state carries from one utterance to the next (cepstral
mean), so each round first decodes five other checks: 8 rounds, 72 requests. Prints
each cut-off and the count; tests/test_listening.py checks three of them on fresh
recognizers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.knowledge import load_knowledge
from voiceback.listening import Listener, complete_request
from voiceback.nlu import NLU
from voiceback.stt import Recognizer, make_recognizer
from voiceback.types import Understanding

SLOW = (
    "can you tell me about the | stretches for my hips",
    "what can i do for the | pain in my back",
    "is it ok to sleep with the | heat pad on",
    "should i put ice on the | sore spot",
    "how long should i | keep the ice on my back",
    "my back is | really stiff this morning",
    "what's good for the | cramp in my calf",
    "tell me about the | breathing exercise",
    "i need help with the | spasm in my back",
)


def heard_slowly(
    recognizer: Recognizer,
    spare: Recognizer,
    understand: Callable[[str], Understanding],
    parts: str,
    warm: Iterable[str] = (),
    **timing: float,
) -> list[str]:
    """What the listener, as in `run`, makes of `parts` said slowly with a 1.2 s pause
    at "|": one transcript per utterance. First both recognizers decode each of `warm`
    (their state carries over from one utterance to the next)."""
    for text in warm:
        for engine in (recognizer, spare):
            with WavSource(speech(text).path) as source:
                list(Listener(Endpointer(), engine).utterances(source))
    with WavSource(speech(parts, speed=0.75, pause_s=1.2).path) as source:
        listener = Listener(
            Endpointer(),
            recognizer,
            is_complete=complete_request(understand),
            second_opinion=spare,
            **timing,
        )
        return [u.transcript.text for u in listener.utterances(source)]


def main() -> None:
    timing = {}
    if len(sys.argv) == 3:
        timing = {"quick_hangover_s": float(sys.argv[1]), "check_every_s": float(sys.argv[2])}
    settings = Settings()
    nlu = NLU.load(settings.intent_model_dir)
    knowledge = load_knowledge(settings.intents_dir)
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    second = make_recognizer("pocketsphinx", settings.models_dir, spare=True)
    others = [t for _, intent in knowledge.intents.items() for t in intent.checks[:1]]
    cut = total = 0
    for first in range(0, 40, 5):
        for i, parts in enumerate(SLOW):
            warm = others[first : first + 5] if i == 0 else ()
            heard = heard_slowly(recognizer, second, nlu.understand, parts, warm, **timing)
            total += 1
            if len(heard) != 1:
                cut += 1
                print(f"cut off: {parts!r} -> {heard}", flush=True)
    print(f"slow speakers cut off: {cut} of {total} ({timing or 'default timing'})")


if __name__ == "__main__":
    main()
