"""Benchmark of the text path: prints the issue's figures (no asserts).

    .venv/bin/python bench/text_path.py

- accuracy, macro-F1, red-flag recall and false alarms on the held-out checks;
- classification latency per utterance (p50/p95 over every check, model warm);
- pipeline load time (spacy.load of models/intent plus the rule layers), best of 5;
- peak RSS of `voiceback classify` over all checks (a child process, ru_maxrss);
- training time of `voiceback train`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from voiceback.config import Settings
from voiceback.evaluation import evaluate, format_report
from voiceback.knowledge import load_knowledge
from voiceback.nlu import NLU

ROOT = Path(__file__).resolve().parent.parent
MEASURE_CLASSIFY = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "voiceback.cli", "classify", "--jsonl", "-"],
               stdin=sys.stdin, stdout=subprocess.DEVNULL, check=True)
print(round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
"""


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def main() -> None:
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)

    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "voiceback.cli", "train"], check=True, cwd=ROOT)
    print(f"train (voiceback train, wall): {time.perf_counter() - started:.1f} s")

    loads = []
    for _ in range(5):
        t = time.perf_counter()
        nlu = NLU.load(settings.intent_model_dir, settings.min_confidence)
        loads.append(time.perf_counter() - t)
    print(f"pipeline load: best {min(loads):.3f} s, median {statistics.median(loads):.3f} s")

    print(format_report(evaluate(knowledge, nlu.understand)))

    texts = [t for t, _ in knowledge.checks()]
    times = []
    for text in texts:
        t = time.perf_counter()
        nlu.understand(text)
        times.append((time.perf_counter() - t) * 1000)
    print(
        f"classification latency per utterance (n={len(texts)}): "
        f"p50 {percentile(times, 0.5):.2f} ms, p95 {percentile(times, 0.95):.2f} ms"
    )

    lines = "".join(json.dumps({"text": t}) + "\n" for t in texts)
    t = time.perf_counter()
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE_CLASSIFY],
        input=lines,
        check=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - t
    print(
        f"voiceback classify on {len(texts)} lines: {wall:.2f} s wall "
        f"(load included), peak RSS {measured.stdout.strip()} MB"
    )


if __name__ == "__main__":
    main()
