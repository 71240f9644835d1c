"""SQLite store: values and the pain log survive closing and reopening."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceback.store import Store
from voiceback.types import StoreError


def test_survives_reopen(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "voiceback.db"
    store = Store(path)
    store.put("rate_wpm", "130")
    store.log_pain(7, at_s=100.0)
    store.log_pain(4, at_s=200.0)
    store.close()
    again = Store(path)
    assert again.get("rate_wpm") == "130"
    assert again.get("missing", "x") == "x"
    assert [(e.at_s, e.level) for e in again.pain_log()] == [(100.0, 7), (200.0, 4)]


@pytest.mark.parametrize("level", [-1, 11])
def test_pain_level_out_of_range(tmp_path: Path, level: int) -> None:
    with pytest.raises(StoreError, match=r"0\.\.10"):
        Store(tmp_path / "db").log_pain(level)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "voiceback.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match=r"voiceback\.db"):
        Store(path)
