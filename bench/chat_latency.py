"""Reply time of the chat engine over a scripted conversation (speech excluded).

    .venv/bin/python bench/chat_latency.py [--rounds N]

Each line goes through Assistant.turn (NLU + dialog + SQLite writes) exactly as
`voiceback chat` does, on a fresh database in a temporary folder; the clock moves
between lines and Assistant.tick is timed too (the idle call made every 0.1 s, and
the calls that say a cue or a reminder). Prints p50 / p95 / max per kind.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from voiceback.assistant import Assistant, VoiceSettings
from voiceback.config import Settings
from voiceback.dialog import Dialog
from voiceback.knowledge import load_knowledge
from voiceback.nlu import NLU
from voiceback.store import Store

SCRIPT = (
    "hello",
    "my back is seizing up what do i do",
    "next",
    "next",
    "yes please",
    "say that again",
    "previous",
    "next",
    "next",
    "next",
    "is this serious",
    "no",
    "i'm not sure",
    "mumble blah xq",
    "no",
    "no",
    "yes",
    "what stretches can i do for a calf cramp",
    "pause",
    "resume",
    "next",
    "stop",
    "help me breathe",
    "slower",
    "faster",
    "pause",
    "resume",
    "stop",
    "set a timer for ten minutes",
    "remind me to take the ice off in 15 minutes",
    "how long is left",
    "cancel the ice reminder",
    "i took two ibuprofen",
    "log my pain as a seven",
    "when did i last take it",
    "how has my pain been",
    "how long has this been going on",
    "louder",
    "quieter",
    "help",
    "should i use heat or ice",
    "no thanks",
    "delete my log",
    "no",
    "thank you",
)


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    rounds = parser.parse_args().rounds
    settings = Settings()
    knowledge = load_knowledge(settings.intents_dir)
    nlu = NLU.load(settings.intent_model_dir, settings.min_confidence)
    now = [1_750_000_000.0]
    turns: list[float] = []
    idle: list[float] = []
    saying: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "voiceback.db")
        dialog = Dialog(knowledge, store, clock=lambda: now[0])
        assistant = Assistant(nlu, dialog, None, VoiceSettings(150, 0.9), store)
        nlu.understand("warm up")
        for _ in range(rounds):
            for line in SCRIPT:
                start = time.perf_counter()
                assistant.turn(line)
                turns.append((time.perf_counter() - start) * 1000)
                for _ in range(30):  # three seconds of 0.1 s ticks between lines
                    now[0] += 0.1
                    start = time.perf_counter()
                    said = assistant.tick()
                    ms = (time.perf_counter() - start) * 1000
                    (saying if said else idle).append(ms)
        store.close()
    for name, values in (("turn (reply)", turns), ("tick, idle", idle), ("tick, saying", saying)):
        if values:
            print(
                f"{name:14} n={len(values):5}  p50 {statistics.median(values):6.2f} ms  "
                f"p95 {pct(values, 0.95):6.2f} ms  max {max(values):6.2f} ms"
            )


if __name__ == "__main__":
    main()
