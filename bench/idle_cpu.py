"""CPU of `voiceback run` while it listens to a quiet room, and its peak RSS (prints figures).

    .venv/bin/python bench/idle_cpu.py [SECONDS]

`voiceback run` is started on a private PulseAudio server (a null sink `room` whose
monitor is the microphone, as in the tests). Once it listens, its CPU time (all
threads, from /proc/PID/stat) is read over SECONDS (default 60) in two rooms: digital
silence played continuously, and a quiet room (pink noise at -55 dBFS, a real
microphone's floor). Then a spoken request is played and answered, and the process's
peak RSS (VmHWM) is read: the models loaded, one turn through every stage.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

import numpy as np
from audio_synth import make_noise, speech, write_wav
from kiosk_room import seeded_config
from process_lines import Lines, stop
from pulse_fixtures import start_pulse

from voiceback.config import REPO_ROOT

TICKS_S = os.sysconf("SC_CLK_TCK")


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of every thread of `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_S


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 60.0
    work = Path(tempfile.mkdtemp(prefix="voiceback-idle-"))
    pulse = start_pulse(work / "pulse")
    config = seeded_config(work)
    quiet = work / "quiet.wav"
    rng = np.random.default_rng(0)
    floor = make_noise("pink", 16_000 * int(seconds + 10), 16_000, rng) * 10 ** (-55 / 20)
    write_wav(quiet, floor.astype(np.float32), 16_000)
    silence = pulse.play_silence()
    process = subprocess.Popen(
        [sys.executable, "-m", "voiceback.cli", "run"],
        cwd=REPO_ROOT,
        env={**pulse.env(), "VOICEBACK_CONFIG": str(config), "PYTHONUNBUFFERED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    output = Lines(process.stdout, process)
    try:
        if not output.wait_for("voiceback is listening", 60):
            raise SystemExit(f"voiceback run never listened:\n{output.tail()}")
        time.sleep(5.0)  # past the start: the microphone running, caches warm
        for room in ("digital silence", "quiet room, pink noise at -55 dBFS"):
            player = None
            if room.startswith("quiet"):
                silence.terminate()
                player = pulse.play(quiet)
                time.sleep(2.0)
            before, started = cpu_s(process.pid), time.monotonic()
            time.sleep(seconds)
            used = (cpu_s(process.pid) - before) / (time.monotonic() - started)
            print(f"CPU while listening, {room}: {100 * used:.1f} % of one core", flush=True)
            if player is not None:
                player.terminate()
        request = speech("hey coach | should i put ice or heat on it", pause_s=0.3)
        pulse.play(request.path).wait(30)
        reply = output.wait_for("voiceback> ", 30)
        print(f"answered: {reply!r}")
        time.sleep(3.0)  # the reply spoken
        rss = peak_rss_mb(process.pid)
        print(f"peak RSS of `voiceback run` (pocketsphinx), one turn: {rss:.0f} MB")
    finally:
        stop(process, 30)
        silence.kill()
        pulse.stop()


if __name__ == "__main__":
    main()
