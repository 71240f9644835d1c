"""`voiceback chat` runs the dialog engine over stdin/stdout and keeps the clock going
while it waits for a line: breathing cues arrive without anything typed."""

from __future__ import annotations

import os
import selectors
import subprocess
import sys
import time
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT


@pytest.fixture
def env(tmp_path: Path, model_dir: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata = "{tmp_path / "data"}"\nmodels = "{model_dir.parent}"\n')
    return {**os.environ, "VOICEBACK_CONFIG": str(config), "HOME": str(tmp_path)}


def _read_until(proc: subprocess.Popen[str], needle: str, timeout_s: float) -> list[str]:
    assert proc.stdout is not None
    lines: list[str] = []
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not selector.select(timeout=0.5):
            continue
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip("\n"))
        if needle in line:
            return lines
    raise AssertionError(f"{needle!r} never came; got {lines}")


def test_breathing_cues_come_while_chat_waits_for_input(env: dict[str, str]) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "voiceback.cli", "chat", "--no-speak"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert proc.stdin is not None
    try:
        proc.stdin.write("help me breathe\n")
        proc.stdin.flush()
        lines = _read_until(proc, "Breathe in", timeout_s=60)
        assert any("breathe slowly together" in line.lower() for line in lines)
        proc.stdin.write("slower\nstop\ngoodbye\n")
        proc.stdin.flush()
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    replies = [line for line in out.splitlines() if line.startswith("voiceback>")]
    assert "Slower then." in replies[-3] or "slower" in replies[-3].lower()
    assert replies[-2] == "voiceback> Okay, we'll stop there."


def test_a_whole_conversation_over_stdin(env: dict[str, str]) -> None:
    talk = (
        "is this serious\nno\nno\nno\nno\nno thanks\n"
        "remind me to take the ice off in 15 minutes\nhow long is left\n"
        "i took two ibuprofen\ndelete my log\nyes\ngoodbye\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "voiceback.cli", "chat", "--no-speak"],
        input=talk,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.splitlines() if line.startswith("voiceback>")]
    assert len(replies) == 12
    assert "typical back spasm" in replies[4]
    assert replies[7] == "voiceback> The ice timer has 15 minutes left."
    assert replies[10] == "voiceback> Done. I've deleted your log."
