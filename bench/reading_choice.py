"""How well the spoken path chooses among the recognizer's readings (prints figures).

    .venv/bin/python bench/reading_choice.py [PER_LABEL | FROM:TO]

The checks are decoded exactly as bench/spoken_accuracy.py does (Piper voice, clean and
pink 10 / 5 dB in turn on one recognizer, the other red_flag checks among them), then
each heard request is read several ways, per condition:

- `rule`: `listening.understand_heard`, what `voiceback listen` does;
- `best only`: the recognizer's best hypothesis alone;
- `any reading`: right when the best hypothesis or any n-best alternative is read as the
  check's label: what a perfect chooser among the readings would reach (an upper bound);
- `vote a`: each label scores the classifier's probability summed over the readings,
  the alternatives weighted a (red flags first, as in the rule);
- `sure best`: as the rule, but an alternative that only leans to red_flag (no report
  found by the rules) is not asked about when the best hypothesis was heard and read
  surely; with red flags urgent + asked about, and false ones on the other checks.

Measured 2026-11-26 over all 805 checks (`:4`, `4:8`, `8:`), clean / 10 dB / 5 dB:
best only 0.873 / 0.707 / 0.458; rule 0.878 / 0.722 / 0.470; any reading 0.934 / 0.814
/ 0.583; vote 0.5 0.877 / 0.718 / 0.473; sure best 0.882 / 0.722 / 0.470 (3 fewer false
red-flag questions clean, none lost; not taken, see README).
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import speech
from spoken_accuracy import CONDITIONS, spoken_checks

from voiceback import listening
from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.knowledge import load_knowledge
from voiceback.listening import Listener, Utterance, readings, understand_heard
from voiceback.nlu import NLU
from voiceback.stt import make_recognizer
from voiceback.types import InputError, Transcript, Understanding

Reader = Callable[[Callable[[str], Understanding], Transcript], Understanding]


@dataclass(frozen=True)
class Heard:
    label: str
    counted: bool  # one of the chosen checks (else another red_flag check)
    utterances: list[Utterance]


def vote(weight: float) -> Reader:
    def read(understand: Callable[[str], Understanding], transcript: Transcript) -> Understanding:
        found = readings(understand, transcript)
        flag = listening.red_flag_reading(found)
        if flag is not None:
            return flag
        score: defaultdict[str, float] = defaultdict(float)
        for reading, rank in found:
            for label, probability in reading.ranking:
                score[label] += (1.0 if rank == 0 else weight) * probability
        winner = max(score, key=lambda label: score[label])
        return next((r for r, _ in found if r.intent == winner), found[0][0])

    return read


def sure_best(understand: Callable[[str], Understanding], transcript: Transcript) -> Understanding:
    found = readings(understand, transcript)
    first = found[0][0] if found[0][1] == 0 else None
    sure = (
        first is not None
        and not first.fallback
        and first.confidence >= listening.SURE_READING
        and transcript.confidence >= listening.UNSURE_HEARING
    )
    for reading, _ in found:
        if reading.red_flag:
            return reading
    for reading, rank in found:
        if listening.leans_to_red_flag(reading) and not (sure and rank > 0):
            return replace(reading, check_red_flag=True)
    return max(found, key=listening.reading_weight)[0]


def read_all(
    heard: Sequence[Heard], understand: Callable[[str], Understanding], reader: Reader
) -> str:
    saved = listening.understand_best
    listening.understand_best = reader  # type: ignore[assignment]  # understand_heard reads it
    try:
        right = flagged = asked = false_flags = false_asks = 0
        for item in heard:
            try:
                got = understand_heard(understand, item.utterances)
            except InputError:
                continue
            right += item.counted and got.intent == item.label
            if item.label == "red_flag":
                flagged, asked = flagged + got.red_flag, asked + got.check_red_flag
            else:
                false_flags, false_asks = (
                    false_flags + got.red_flag,
                    false_asks + got.check_red_flag,
                )
    finally:
        listening.understand_best = saved
    counted = sum(item.counted for item in heard)
    return f"{right / counted:.3f}  red flags {flagged}+{asked}, false {false_flags}+{false_asks}"


def oracle(
    heard: Sequence[Heard], understand: Callable[[str], Understanding]
) -> tuple[float, float]:
    best = anything = 0
    for item in (h for h in heard if h.counted and h.utterances):
        if len(item.utterances) > 1:
            texts = [" ".join(u.transcript.text for u in item.utterances)]
        else:
            only = item.utterances[0].transcript
            texts = [only.text, *only.alternatives]
        labels = []
        for text in texts:
            try:
                labels.append(understand(text).intent)
            except InputError:
                continue
        best += bool(labels) and labels[0] == item.label
        anything += item.label in labels
    counted = sum(item.counted for item in heard)
    return best / counted, anything / counted


def main() -> None:
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir)
    cache: dict[str, Understanding | InputError] = {}

    def understand(text: str) -> Understanding:
        if text not in cache:
            try:
                cache[text] = nlu.understand(text)
            except InputError as err:
                cache[text] = err
        found = cache[text]
        if isinstance(found, InputError):
            raise found
        return found

    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    checks, more = spoken_checks(knowledge, sys.argv[1] if len(sys.argv) > 1 else "4")
    for noise, snr in CONDITIONS:
        heard = []
        for index, (text, label) in enumerate(checks + more):
            sample = speech(text, engine="piper", voice="en-us", noise=noise, snr_db=snr)
            with WavSource(sample.path) as source:
                utterances = list(Listener(Endpointer(), recognizer).utterances(source))
            heard.append(Heard(label, index < len(checks), utterances))
        best, anything = oracle(heard, understand)
        where = "clean" if noise is None else f"{noise} {snr:.0f} dB"
        print(f"{where} (n={len(checks)}): best only {best:.3f}, any reading {anything:.3f}")
        readers: list[tuple[str, Reader]] = [("rule", listening.understand_best)]
        readers += [(f"vote {w}", vote(w)) for w in (0.3, 0.5, 1.0)]
        readers.append(("sure best", sure_best))
        for name, reader in readers:
            print(f"    {name:10s} {read_all(heard, understand, reader)}", flush=True)


if __name__ == "__main__":
    main()
