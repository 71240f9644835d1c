"""Logs: one `key=value` line per event; journald's format under systemd; transcripts held back."""

from __future__ import annotations

import io
import logging
import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from voiceback import logs
from voiceback.config import REPO_ROOT


def parse(line: str) -> dict[str, str]:
    """A log line back into its pairs (shell-style quoting, as written)."""
    pairs = dict(token.split("=", 1) for token in shlex.split(line))
    assert all(pairs), line
    return pairs


def record(message: str, *args: object, level: int = logging.WARNING, **kv: object):
    made = logging.LogRecord("voiceback.store", level, __file__, 1, message, args, None)
    made.kv = kv
    return made


def test_one_line_of_key_value_pairs_with_a_utc_timestamp() -> None:
    line = logs.KeyValueFormatter(journal=False).format(
        record("kept %s aside", "voiceback.db", moved_to="/var/lib/a b.db", attempts=2)
    )
    assert "\n" not in line
    pairs = parse(line)
    assert pairs["ts"].endswith("Z") and pairs["ts"][10] == "T"
    assert pairs["level"] == "warning"
    assert pairs["logger"] == "store"
    assert pairs["msg"] == "kept voiceback.db aside"
    assert pairs["moved_to"] == "/var/lib/a b.db"
    assert pairs["attempts"] == "2"


def test_quotes_newlines_and_equals_signs_stay_on_one_parseable_line() -> None:
    tricky = 'a "quoted" word\nand a=b on a second line \\ too'
    line = logs.KeyValueFormatter(journal=False).format(record("x", error=tricky))
    assert "\n" not in line
    assert parse(line)["error"] == tricky.replace("\n", "\\n").replace("\\\\", "\\")


def test_under_journald_no_timestamp_and_a_priority_prefix() -> None:
    formatter = logs.KeyValueFormatter(journal=True)
    warning = formatter.format(record("microphone lost"))
    info = formatter.format(record("turn", level=logging.INFO, nlu_ms=3.14159))
    assert warning.startswith("<4>level=warning ")
    assert info.startswith("<6>level=info ")
    assert "ts=" not in warning + info
    assert parse(info[3:])["nlu_ms"] == "3.14"


def test_journal_stream_must_name_the_stream_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    read_fd, write_fd = os.pipe()
    other_read, other_write = os.pipe()
    try:
        with os.fdopen(os.dup(write_fd), "w") as stream:
            info = os.fstat(write_fd)
            monkeypatch.setenv("JOURNAL_STREAM", f"{info.st_dev}:{info.st_ino}")
            assert logs.under_journal(stream)
            other = os.fstat(other_write)
            monkeypatch.setenv("JOURNAL_STREAM", f"{other.st_dev}:{other.st_ino}")
            assert not logs.under_journal(stream)  # e.g. stderr redirected to a file
            monkeypatch.delenv("JOURNAL_STREAM")
            assert not logs.under_journal(stream)
    finally:
        for fd in (read_fd, write_fd, other_read, other_write):
            os.close(fd)


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    """logs.setup on a string stream; the root logger restored afterwards (for pytest)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in handlers:
            root.addHandler(handler)
        root.setLevel(level)
        logs.allow_transcripts(False)


def test_transcripts_only_when_switched_on(captured: io.StringIO) -> None:
    logs.setup(verbose=True, stream=captured)
    heard = logging.getLogger(logs.TRANSCRIPTS)
    barge_in = logging.getLogger("voiceback.barge_in")
    heard.info("heard %r", "my leg has gone numb")
    barge_in.info("over its own voice: %s", "stop talking")
    logging.getLogger("voiceback.hands_free").info("turn", extra=logs.fields(nlu_ms=2.5))
    assert "numb" not in captured.getvalue() and "stop talking" not in captured.getvalue()
    assert "msg=turn nlu_ms=2.5" in captured.getvalue()

    logs.setup(verbose=False, stream=captured)  # as under systemd: no --verbose
    logs.allow_transcripts(True)
    heard.info("heard %r", "my leg has gone numb")
    assert "numb" in captured.getvalue()  # [debug] log_transcripts shows them anyway


def run_cli(tmp_path: Path, journal: bool) -> list[str]:
    """`voiceback --verbose ask` over a damaged database; its stderr lines."""
    data = tmp_path / "data"
    data.mkdir(exist_ok=True)
    (data / "voiceback.db").write_bytes(b"not a database at all " * 200)
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata = "{data}"\n')
    read_fd, write_fd = os.pipe()
    env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
    if journal:
        info = os.fstat(write_fd)
        env["JOURNAL_STREAM"] = f"{info.st_dev}:{info.st_ino}"
    command = [sys.executable, "-m", "voiceback.cli", "--verbose", "--config", str(config)]
    process = subprocess.Popen(
        [*command, "ask", "how should i sit", "--no-speak"],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=write_fd,
    )
    os.close(write_fd)
    with os.fdopen(read_fd, encoding="utf-8") as stream:
        lines = stream.read().splitlines()
    assert process.wait(timeout=120) == 0, lines
    return lines


@pytest.mark.parametrize("journal", [False, True])
def test_the_cli_logs_in_the_format_of_where_it_runs(tmp_path: Path, journal: bool) -> None:
    lines = [line for line in run_cli(tmp_path, journal) if "logger=" in line]
    damaged = [line for line in lines if "database damaged" in line]
    assert len(damaged) == 1, lines
    if journal:
        assert damaged[0].startswith("<4>level=warning logger=store ")
        pairs = parse(damaged[0][3:])
    else:
        pairs = parse(damaged[0])
        assert pairs["ts"].startswith("20")
    assert pairs["moved_to"].startswith(str(tmp_path / "data" / "voiceback.db.corrupt-"))
