"""Cold start: from process start to listening, for `voiceback run` on a real audio device.

    .venv/bin/python bench/cold_start.py [--runs 7] [--compare] [--idle-room] [--no-bytecode-cache]
        [--nice -10] [--what-if-cyaml]

"Listening" is the loop reading its first microphone audio: `voiceback run` is started
as a fresh process on a private PulseAudio server (as the tests do: a null sink `room`
whose monitor is the microphone), and the time from just before the process is
spawned to the return of its first `MicSource.read()` is measured. A prelude given to
`python -c` records, without changing what runs, when the main stages start and end
(the imports of spaCy, pocketsphinx, pyttsx3 and sounddevice; the knowledge, intent
model, recognizer and speaker loads; the microphone's open and first audio) and on
which thread; the median of each is printed. The database is seeded so that the
one-time disclaimer is not said (the usual start). Compiled modules are kept between
starts (PYTHONPYCACHEPREFIX), as an installed system keeps its .pyc files; this
environment sets PYTHONDONTWRITEBYTECODE, which `--no-bytecode-cache` keeps.

By default something is playing into the room (digital silence at 20 ms latency),
as a real microphone delivers audio continuously. `--idle-room` leaves the null sink
idle: PulseAudio then renders its monitor in 2 s blocks, so the first audio comes
0-2 s after the stream opens (an artefact of the virtual device, also printed).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from kiosk_room import seeded_config
from process_lines import stop
from pulse_fixtures import PulseServer, start_pulse

from voiceback.config import REPO_ROOT

PRELUDE = r"""
import os, sys, threading, time, functools, importlib.abc, importlib.machinery
_TRACE = open(os.environ["COLD_START_TRACE"], "a", buffering=1)
def _mark(name, start, end):
    _TRACE.write(f"{name}\t{start:.6f}\t{end:.6f}\t{threading.current_thread().name}\n")
class _TimedImports(importlib.abc.MetaPathFinder):
    NAMES = {"spacy", "pocketsphinx", "pyttsx3", "sounddevice", "numpy", "soxr"}
    def find_spec(self, name, path, target=None):
        if name not in self.NAMES:
            return None
        self.NAMES.discard(name)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        run = spec.loader.exec_module
        def exec_module(module):
            start = time.time()
            try:
                run(module)
            finally:
                _mark("import " + name, start, time.time())
        spec.loader.exec_module = exec_module
        return spec
sys.meta_path.insert(0, _TimedImports())
def _timed(owner, attr, name, once=False):
    original = getattr(owner, attr)
    seen = []
    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.time()
        try:
            return original(*args, **kwargs)
        finally:
            if not (once and seen):
                seen.append(1)
                _mark(name, start, time.time())
                if name == "first audio read":  # CPU time of all threads so far
                    cpu = os.times()
                    _mark("CPU time used", 0.0, cpu.user + cpu.system)
    setattr(owner, attr, wrapper)
_start = time.time()
import voiceback.cli, voiceback.commands, voiceback.voice_commands, voiceback.stt
import voiceback.audio.mic as _mic
_mark("import voiceback.cli", _start, time.time())
if os.environ.get("COLD_START_BEFORE"):  # as it was: mic opened by the loop, tokenizer twice
    import voiceback.startup as _startup
    def _plain_mic(cls, settings):
        spec = settings.input_device
        return _mic.MicSource(int(spec) if spec.isdigit() else (spec or None))
    _startup.EarlyMic.for_settings = classmethod(_plain_mic)
    _load_nlu = voiceback.commands.load_nlu
    def _load_nlu_twice(settings):
        import voiceback.nlu
        voiceback.nlu._saved_tokenizer = lambda nlp, path: nlp.tokenizer.from_disk(path)
        return _load_nlu(settings)
    voiceback.commands.load_nlu = _load_nlu_twice
if os.environ.get("COLD_START_CYAML"):  # what if: PyYAML's C parser for intents/*.yaml
    import yaml
    yaml.safe_load = lambda text: yaml.load(text, Loader=yaml.CSafeLoader)
_timed(voiceback.commands, "load_knowledge", "knowledge")
_timed(voiceback.commands, "load_nlu", "intent model (spaCy)")
_timed(voiceback.commands, "_speaker", "speaker (pyttsx3)")
_timed(voiceback.voice_commands, "build_assistant", "build_assistant")
_timed(voiceback.stt, "make_recognizer", "recognizer (pocketsphinx)")
_timed(_mic.MicSource, "open", "microphone open", once=True)
_timed(_mic.MicSource, "read", "first audio read", once=True)
for _name in ("startup_problems",):
    if hasattr(voiceback.voice_commands, _name):
        _timed(voiceback.voice_commands, _name, "start-up checks")
try:
    import voiceback.screen
    _timed(voiceback.screen, "start_screen", "screen")
except ImportError:
    pass
import voiceback.tts
_timed(voiceback.tts.Player, "open", "speaker stream open", once=True)
sys.exit(voiceback.cli.main(sys.argv[1:]))
"""

ORDER = (
    "import voiceback.cli",
    "import numpy",
    "import sounddevice",
    "import spacy",
    "import pocketsphinx",
    "import pyttsx3",
    "import soxr",
    "build_assistant",
    "knowledge",
    "intent model (spaCy)",
    "speaker (pyttsx3)",
    "recognizer (pocketsphinx)",
    "screen",
    "speaker stream open",
    "start-up checks",
    "microphone open",
    "first audio read",
)


def one_run(
    pulse: PulseServer,
    config: Path,
    trace: Path,
    pycache: Path | None,
    before: bool = False,
    cyaml: bool = False,
    nice: int = 0,
) -> dict[str, tuple[float, float, str]]:
    """One cold start; each stage's (start, end) in seconds from the spawn, and its thread.
    `before`: as start-up was before voiceback/startup.py (the loop opened the microphone
    after the models had loaded; spaCy built the tokenizer twice). `cyaml`: what if the
    knowledge were parsed with PyYAML's C parser (yaml.CSafeLoader)."""
    trace.unlink(missing_ok=True)
    env = {
        **pulse.env(),
        "VOICEBACK_CONFIG": str(config),
        "COLD_START_TRACE": str(trace),
        "PYTHONUNBUFFERED": "1",
    }
    if before:
        env["COLD_START_BEFORE"] = "1"
    if cyaml:
        env["COLD_START_CYAML"] = "1"
    if pycache is not None:  # as installed: compiled modules are kept between starts
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    spawned = time.time()
    process = subprocess.Popen(
        [sys.executable, "-c", PRELUDE, "run"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=(lambda: os.nice(nice)) if nice else None,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if trace.exists() and "first audio read" in trace.read_text():
                break
            time.sleep(0.02)
        else:
            raise RuntimeError(f"voiceback run never listened: {process.stderr.read()[-2000:]}")
    finally:
        stop(process, 20)
    stages: dict[str, tuple[float, float, str]] = {}
    for line in trace.read_text().splitlines():
        name, start, end, thread = line.split("\t")
        offset = 0.0 if name == "CPU time used" else spawned
        stages.setdefault(name, (float(start) - offset, float(end) - offset, thread))
    return stages


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--idle-room", action="store_true", help="nothing playing into the room")
    ap.add_argument("--json", action="store_true", help="print each run's stages as JSON too")
    ap.add_argument(
        "--compare", action="store_true", help="alternate runs with start-up as it was before"
    )
    ap.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run voiceback at this nice value (e.g. -10, as root: ahead of other load)",
    )
    ap.add_argument(
        "--what-if-cyaml", action="store_true", help="parse intents/*.yaml with yaml.CSafeLoader"
    )
    ap.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="compile voiceback's modules at every start (PYTHONDONTWRITEBYTECODE as here)",
    )
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="voiceback-cold-"))
    pulse = start_pulse(work / "pulse")
    config = seeded_config(work)
    room = None
    if not args.idle_room:
        room = pulse.play_silence()
        time.sleep(0.5)
    runs: dict[bool, list[dict[str, tuple[float, float, str]]]] = {False: [], True: []}
    pycache = None if args.no_bytecode_cache else work / "pycache"
    try:
        if pycache is not None:
            one_run(pulse, config, work / "trace.tsv", pycache)  # fills the bytecode cache
        for i in range(args.runs):
            for before in (True, False) if args.compare else (False,):
                stages = one_run(
                    pulse,
                    config,
                    work / "trace.tsv",
                    pycache,
                    before,
                    args.what_if_cyaml,
                    args.nice,
                )
                runs[before].append(stages)
                total = stages["first audio read"][1]
                load = os.getloadavg()[0]
                what = "before" if before else "now"
                print(f"run {i + 1} {what:6s}: listening after {total:.2f} s (load {load:.2f})")
                if args.json:
                    print(json.dumps(stages))
    finally:
        if room is not None:
            room.terminate()
            room.wait(timeout=10)
        pulse.stop()
    setup = (
        f"{'idle null sink' if args.idle_room else 'room playing'}; "
        f"{'no ' if pycache is None else ''}bytecode cache; {os.cpu_count()} cores"
        f"{'; what if: yaml.CSafeLoader' if args.what_if_cyaml else ''}"
        f"{f'; nice {args.nice}' if args.nice else ''}"
    )
    for before in (True, False) if args.compare else (False,):
        summary(runs[before], "before" if before else "now", setup)


def summary(runs: list[dict[str, tuple[float, float, str]]], what: str, setup: str) -> None:
    totals = [r["first audio read"][1] for r in runs]
    cpu = [r["CPU time used"][1] for r in runs]
    print(
        f"\n{what}: cold start to listening over {len(runs)} runs: "
        f"median {statistics.median(totals):.2f} s,"
        f" min {min(totals):.2f} s, max {max(totals):.2f} s ({setup})\n"
        f"  CPU time the process used by then (less sensitive to other load): "
        f"median {statistics.median(cpu):.2f} s, min {min(cpu):.2f} s"
    )
    print(f"\n{'stage (median over runs)':30s} {'start':>7s} {'end':>7s} {'took':>7s}  thread")
    for name in ORDER:
        seen = [r[name] for r in runs if name in r]
        if not seen:
            continue
        start = statistics.median(s for s, _, _ in seen)
        end = statistics.median(e for _, e, _ in seen)
        took = statistics.median(e - s for s, e, _ in seen)
        print(f"{name:30s} {start:7.2f} {end:7.2f} {took:7.2f}  {seen[0][2]}")


if __name__ == "__main__":
    main()
