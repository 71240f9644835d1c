"""`voiceback log --export csv`: the log written out for a doctor's visit, via the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from voiceback.cli import main
from voiceback.store import Store


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata = "{tmp_path / "data"}"\n')
    return path


def _fill(db: Path) -> None:
    store = Store(db)
    store.report_spasm(1_750_000_000.0)
    store.log_pain(7, at_s=1_750_000_100.0)
    store.log_medicine("ibuprofen", "2", 1_750_000_200.0)
    store.log_pain(0, at_s=1_750_007_200.0)
    store.end_episode(1_750_007_200.0)
    store.close()


def test_export_csv_to_a_file(config: Path, tmp_path: Path) -> None:
    _fill(tmp_path / "data" / "voiceback.db")
    out = tmp_path / "visit" / "log.csv"
    assert main(["--config", str(config), "log", "--export", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open()))
    assert [(r["kind"], r["value"], r["detail"]) for r in rows] == [
        ("spasm_start", "", ""),
        ("pain", "7", "out of 10"),
        ("medicine", "ibuprofen", "2"),
        ("pain", "0", "out of 10"),
        ("spasm_end", "", "lasted 2 hours"),
    ]
    assert rows[0]["time"][:4] == "2025" and "T" in rows[0]["time"]


def test_export_csv_to_stdout_and_with_no_log(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--config", str(config), "log", "--export", "csv"]) == 0
    assert capsys.readouterr().out == "time,kind,value,detail\n"
    _fill(tmp_path / "data" / "voiceback.db")
    assert main(["--config", str(config), "log", "--export", "csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 6


def test_unwritable_out_fails_clearly(
    config: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code = main(
        ["--config", str(config), "log", "--export", "csv", "--out", str(blocker / "a.csv")]
    )
    assert code == 1
    assert "cannot be written" in capsys.readouterr().err
