"""The command line, run for real in a subprocess: ask, classify, chat, eval, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest

from voiceback.config import REPO_ROOT


@pytest.fixture
def env(tmp_path: Path, model_dir: Path) -> dict[str, str]:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata = "{tmp_path / "data"}"\nmodels = "{model_dir.parent}"\n')
    return {**os.environ, "VOICEBACK_CONFIG": str(config), "HOME": str(tmp_path)}


def run(env: dict[str, str], *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "voiceback.cli", *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


def test_ask_json(env: dict[str, str]) -> None:
    done = run(env, "ask", "should i put ice on it or heat", "--no-speak", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["intent"] == "heat_ice"
    assert out["red_flag"] is False
    assert set(out) >= {"text", "intent", "confidence", "red_flag", "slots", "reply"}
    assert "towel" in out["reply"].lower() or "skin" in out["reply"].lower()


def test_first_start_says_the_disclaimer_once(env: dict[str, str]) -> None:
    first = run(env, "ask", "hello", "--no-speak")
    second = run(env, "ask", "hello", "--no-speak")
    assert b"not a doctor" in first.stdout
    assert b"not a doctor" not in second.stdout


def test_ask_writes_the_spoken_reply(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "reply.wav"
    done = run(env, "ask", "my leg has gone numb", "--no-speak", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert b"doctor" in done.stdout.lower()
    with wave.open(str(out)) as wav:
        assert wav.getnframes() / wav.getframerate() > 3.0


@pytest.mark.parametrize("text", ["", "   ", "?!"])
def test_ask_empty(env: dict[str, str], text: str) -> None:
    done = run(env, "ask", text, "--no-speak")
    assert done.returncode == 2
    assert b"no words" in done.stderr
    assert b"Traceback" not in done.stderr


def test_ask_junk_and_long_text(env: dict[str, str]) -> None:
    junk = run(env, "ask", "\u2603\u2603 \ufffd zq xj", "--no-speak", "--json")
    assert junk.returncode == 0, junk.stderr
    assert "catch that" in json.loads(junk.stdout)["reply"] or b"back spasms" in junk.stdout
    long = run(env, "ask", "my back is stiff " * 700, "--no-speak")
    assert long.returncode == 0
    assert b"Traceback" not in long.stderr


def test_classify_jsonl_in_order_with_a_bad_line(env: dict[str, str]) -> None:
    lines = [
        json.dumps({"text": "log my pain as a seven"}).encode(),
        b"{not json",
        b"\xff\xfe\x00 binary",
        json.dumps({"text": "no numbness at all just tight"}).encode(),
        b"",
        json.dumps({"nottext": 1}).encode(),
        json.dumps({"text": "my leg is numb"}).encode(),
    ]
    done = run(env, "classify", "--jsonl", "-", stdin=b"\n".join(lines) + b"\n")
    assert done.returncode == 2
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(rows) == 6
    assert rows[0]["intent"] == "log_pain"
    assert rows[0]["slots"] == {"pain_level": 7}
    assert "line 2" in rows[1]["error"]
    assert "not UTF-8" in rows[2]["error"]
    assert rows[3]["red_flag"] is False
    assert "line 6" in rows[4]["error"]
    assert rows[5]["red_flag"] is True
    for row in (rows[0], rows[3], rows[5]):
        assert set(row) >= {"text", "intent", "confidence", "red_flag", "slots"}
    assert b"line 2" in done.stderr


def test_classify_missing_file(env: dict[str, str], tmp_path: Path) -> None:
    done = run(env, "classify", "--jsonl", str(tmp_path / "none.jsonl"))
    assert done.returncode == 2
    assert b"cannot be read" in done.stderr


def test_chat_over_stdin(env: dict[str, str]) -> None:
    talk = "how should i sit\nsay more\nsay that again\nslower\ngoodbye\nnot read\n"
    done = run(env, "chat", "--no-speak", stdin=talk.encode())
    assert done.returncode == 0, done.stderr
    replies = [line for line in done.stdout.decode().splitlines() if line.startswith("voiceback>")]
    assert len(replies) == 5
    assert replies[2] == replies[1]  # "say that again" repeats the detail
    assert replies[0] != replies[1]


def test_broken_config_names_the_key(env: dict[str, str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[speech]\nvolume = 7\n")
    done = run(env, "--config", str(bad), "ask", "hello", "--no-speak")
    assert done.returncode == 1
    assert b"speech.volume" in done.stderr


def test_broken_intents_file_names_file_and_key(env: dict[str, str], tmp_path: Path) -> None:
    intents = tmp_path / "intents"
    intents.mkdir()
    for path in (REPO_ROOT / "intents").glob("*.yaml"):
        (intents / path.name).write_text(path.read_text())
    (intents / "heat_ice.yaml").write_text("intent: heat_ice\nresponses: []\nexamples: [a]\n")
    config = tmp_path / "c.toml"
    config.write_text(f'[paths]\nintents = "{intents}"\ndata = "{tmp_path}"\n')
    done = run(env, "--config", str(config), "train")
    assert done.returncode == 1
    assert b"heat_ice.yaml: responses is empty" in done.stderr


def test_missing_model_says_how_to_fix(env: dict[str, str], tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[paths]\nmodels = "{tmp_path / "empty"}"\ndata = "{tmp_path}"\n')
    done = run(env, "--config", str(config), "ask", "hello", "--no-speak")
    assert done.returncode == 1
    assert b"voiceback train" in done.stderr


def test_eval_prints_the_figures(env: dict[str, str]) -> None:
    done = run(env, "eval")
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    for word in ("intent accuracy", "macro-F1", "red-flag recall", "false alarms", "confusions"):
        assert word in text
