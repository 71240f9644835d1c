"""Wake phrase vs always-listening: misses and false activations (prints figures).

    .venv/bin/python bench/wake_modes.py [N]

- wake miss rate: "hey coach, <a check sentence>" spoken by Piper and espeak-ng, clean
  and with pink noise at 10 and 5 dB: how often the wake phrase is not found;
- false activations on non-request audio (talk about other things: the out_of_scope
  checks plus everyday sentences, spoken by both voices, clean and at 10 dB): in
  `wake` mode, utterances taken as the wake phrase; in `always` mode, utterances that
  would get an answer as `run` decides (n-best, `listening.doubt`: confident and
  in-domain, or a red flag, or a reading that leans to one, which is asked about).
Every file goes through the same endpointer, pocketsphinx model and NLU as `run`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.hands_free import for_us, strip_wake
from voiceback.knowledge import load_knowledge
from voiceback.listening import Listener, doubt, understand_best
from voiceback.nlu import NLU
from voiceback.stt import make_recognizer
from voiceback.types import InputError, Transcript

EVERYDAY = (
    "did you see the match last night it went to penalties",
    "i need to pick up some milk and bread on the way home",
    "the kids have a day off school on friday",
    "can you pass me the remote please",
    "we should paint the kitchen a lighter colour this spring",
    "my sister is coming round for dinner on sunday",
    "the bus was twenty minutes late again this morning",
    "i think it's going to rain later so take a coat",
    "that film was much better than the first one",
    "the garden needs watering before it gets dark",
)
VOICES = (("piper", "en-us"), ("espeak", "en-us"))
CONDITIONS = ((None, 0.0), ("pink", 10.0), ("pink", 5.0))


def transcripts(listener: Listener, path: Path) -> list[Transcript]:
    with WavSource(path) as source:
        return [u.transcript for u in listener.utterances(source)]


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir)
    listener = Listener(Endpointer(), make_recognizer("pocketsphinx", settings.models_dir))
    requests = [t for _, i in knowledge.intents.items() for t in i.checks[:2]][:n]
    other = list(knowledge.intents["out_of_scope"].checks) + list(EVERYDAY)

    for engine, voice in VOICES:
        for noise, snr in CONDITIONS:
            missed = 0
            for text in requests:
                sample = speech(
                    f"hey coach | {text}",
                    engine=engine,
                    voice=voice,
                    pause_s=0.3,
                    noise=noise,
                    snr_db=snr,
                )
                heard = transcripts(listener, sample.path)
                if not any(strip_wake(t.text, settings.wake_phrase) is not None for t in heard):
                    missed += 1
            where = "clean" if noise is None else f"{noise} {snr:.0f} dB"
            print(f"wake miss rate  {engine:7s} {where:12s} {missed}/{len(requests)}", flush=True)

    for engine, voice in VOICES:
        for noise, snr in CONDITIONS[:2]:
            wake = always = utterances = 0
            for text in other:
                sample = speech(text, engine=engine, voice=voice, noise=noise, snr_db=snr)
                for transcript in transcripts(listener, sample.path):
                    utterances += 1
                    wake += strip_wake(transcript.text, settings.wake_phrase) is not None
                    always += answers(nlu, transcript)
            where = "clean" if noise is None else f"{noise} {snr:.0f} dB"
            print(
                f"false activations {engine:7s} {where:12s} wake {wake}/{utterances}  "
                f"always {always}/{utterances}",
                flush=True,
            )


def answers(nlu: NLU, transcript: Transcript) -> bool:
    """Would `always` mode answer this utterance (as `HandsFree._answer` decides)?"""
    try:
        heard = doubt(understand_best(nlu.understand, transcript), transcript.confidence)
    except InputError:
        return False
    return heard.red_flag or for_us(heard)


if __name__ == "__main__":
    main()
