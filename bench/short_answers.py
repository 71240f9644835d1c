"""One-word answers to the coach's questions, in noise (prints figures).

    .venv/bin/python bench/short_answers.py

A pain score ("eight") or a "nope" is short: in pink noise it stays over the endpointer's
start bar for less than the 0.18 s that keeps coughs out. Each number 0-10 and some yes /
no words, said by Piper and espeak-ng en-us in pink noise at 10 and 5 dB after 3 s of the
room, go through the Listener with the turn's grammar (as `run` hears an answer), once
with the cough bar and once with the short-answer bar (`Endpointer.expect_short_answer`).
Prints, per condition: heard right, asked again (nothing heard, or heard unsure) and
heard wrong but sure; then what 19 clicks and coughs in a quiet room gave.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from audio_synth import Recipe, make, make_noise, transient, write_wav

from voiceback.audio import Endpointer, WavSource
from voiceback.config import Settings
from voiceback.hands_free import MIN_STT_CONFIDENCE
from voiceback.listening import Listener
from voiceback.stt import make_recognizer

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
YES_NO = {"yes": "yes", "yeah": "yes", "yep": "yes", "no": "no", "nope": "no"}
SAME = {"yes": {"yes", "yeah", "yep"}, "no": {"no", "nope"}}


def heard(listener: Listener, path: Path, short: bool) -> list[tuple[str, float]]:
    listener.endpointer.expect_short_answer(short)
    with WavSource(path) as source:
        return [(u.transcript.text, u.transcript.confidence) for u in listener.utterances(source)]


def verdict(said: str, kind: str, got: list[tuple[str, float]]) -> str:
    sure = [text for text, confidence in got if confidence >= MIN_STT_CONFIDENCE]
    if not sure:
        return "again"
    meant = SAME[YES_NO[said]] if kind == "yes_no" else {said}
    return "right" if sure == [s for s in sure if s in meant] and len(sure) == 1 else "wrong"


def coughs(path: Path) -> Path:
    """20 s of a quiet room (pink, -45 dBFS) with a click or a 120 / 150 ms cough each
    second, as loud as speech peaks, written to `path` (also used by test_listening.py)."""
    rng = np.random.default_rng(3)
    room = make_noise("pink", 20 * 16_000, 16_000, rng) * 10 ** (-45 / 20)
    for k in range(1, 20):
        kind, ms = [("click", 3.0), ("cough", 120.0), ("cough", 150.0)][k % 3]
        burst = transient(kind, 16_000, rng, ms=ms) * 10 ** (-8 / 20)
        room[k * 16_000 : k * 16_000 + len(burst)] += burst
    write_wav(path, room, 16_000)
    return path


def main() -> None:
    settings = Settings()
    recognizer = make_recognizer("pocketsphinx", settings.models_dir)
    words = [(w, "number") for w in NUMBERS] + [(w, "yes_no") for w in YES_NO]
    for engine, voice in (("piper", "en-us"), ("espeak", "en-us")):
        for snr in (10.0, 5.0):
            counts = {bar: {"right": 0, "again": 0, "wrong": 0} for bar in ("cough", "short")}
            wrong: dict[str, list[str]] = {"cough": [], "short": []}
            for said, kind in words:
                recipe = Recipe(
                    parts=(said,), engine=engine, voice=voice, noise="pink", snr_db=snr, lead_s=3.0
                )
                path = make(recipe).path
                for bar in ("cough", "short"):
                    listener = Listener(Endpointer(), recognizer)
                    listener.expect(kind)
                    got = heard(listener, path, short=bar == "short")
                    listener.expect("")
                    v = verdict(said, kind, got)
                    counts[bar][v] += 1
                    if v == "wrong":
                        wrong[bar].append(f"{said}->{'/'.join(t for t, _ in got)}")
            for bar in ("cough", "short"):
                c = counts[bar]
                print(
                    f"{engine:6s} pink {snr:2.0f} dB, {bar:5s} bar: right {c['right']}, asked "
                    f"again {c['again']}, wrong {c['wrong']} of {len(words)} "
                    f"{' '.join(wrong[bar])}",
                    flush=True,
                )
    room = coughs(Path("/tmp") / "voiceback-bench-coughs.wav")
    for kind in ("number", "yes_no"):
        for bar in ("cough", "short"):
            listener = Listener(Endpointer(), recognizer)
            listener.expect(kind)
            got = heard(listener, room, short=bar == "short")
            listener.expect("")
            sure = [t for t, c in got if c >= MIN_STT_CONFIDENCE]
            print(f"19 clicks and coughs, {kind}, {bar} bar: {len(got)} heard, {len(sure)} sure")
    room.unlink()


if __name__ == "__main__":
    main()
