"""SQLite store: values and the pain log survive closing and reopening."""

from __future__ import annotations

from pathlib import Path

import pytest

from voiceback.store import EPISODE_GAP_S, Store
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


OLD_SCHEMA = """
CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE pain_log (
    id INTEGER PRIMARY KEY,
    at_s REAL NOT NULL,
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 10)
);
INSERT INTO kv VALUES ('disclaimer_said', '1');
INSERT INTO pain_log (at_s, level) VALUES (100.0, 8), (200.0, 5);
"""


def test_an_old_database_is_migrated_without_losing_rows(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "voiceback.db"
    old = sqlite3.connect(path)
    old.executescript(OLD_SCHEMA)
    old.close()
    store = Store(path)
    assert store.version() == 1
    assert [(e.at_s, e.level) for e in store.pain_log()] == [(100.0, 8), (200.0, 5)]
    assert store.get("disclaimer_said") == "1"
    store.log_medicine("ibuprofen", "2", 300.0)
    assert [m.name for m in Store(path).medicine_log()] == ["ibuprofen"]


def test_timers_ring_and_survive_reopen(tmp_path: Path) -> None:
    path = tmp_path / "voiceback.db"
    store = Store(path)
    ice = store.add_timer("take the ice off", 15, now_s=1000.0)
    other = store.add_timer("", 5, now_s=1000.0)
    assert ice.due_s == 1900.0
    store.ring(other.id, next_s=1360.0, last=False)
    store.close()
    again = Store(path)
    timers = again.timers()
    assert [(t.id, t.rung, t.next_s) for t in timers] == [
        (other.id, 1, 1360.0),
        (ice.id, 0, 1900.0),
    ]
    again.ring(other.id, next_s=1420.0, last=True)
    again.finish_timer(ice.id)
    assert again.timers() == []


def test_episodes_start_extend_end_and_delete(tmp_path: Path) -> None:
    store = Store(tmp_path / "db")
    first = store.report_spasm(1000.0)
    assert store.report_spasm(5000.0).id == first.id
    assert store.episode(5000.0 + EPISODE_GAP_S - 1) is not None
    assert store.episode(5000.0 + EPISODE_GAP_S + 1) is None  # a day later: over
    later = store.report_spasm(5000.0 + EPISODE_GAP_S + 1)
    assert later.id != first.id
    store.end_episode(later.started_s + 60)
    assert store.episode(later.started_s + 61) is None
    store.log_pain(3, at_s=1.0)
    assert store.delete_log() == 3
    assert store.episodes() == [] and store.pain_log() == []
