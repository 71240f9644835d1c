"""SQLite store for what must survive a reboot: settings flags and the pain log."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from voiceback.types import StoreError

SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pain_log (
    id INTEGER PRIMARY KEY,
    at_s REAL NOT NULL,         -- Unix time
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 10)
);
"""


@dataclass(frozen=True, slots=True)
class PainEntry:
    at_s: float
    level: int


class Store:
    """One SQLite file; every write is its own transaction, so a crash loses nothing written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.executescript(SCHEMA)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{path}: cannot open the database ({err})") from err

    def close(self) -> None:
        self._db.close()

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._query("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self._query("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    def log_pain(self, level: int, at_s: float | None = None) -> PainEntry:
        if not 0 <= level <= 10:
            raise StoreError(f"pain level must be 0..10, got {level}")
        entry = PainEntry(time.time() if at_s is None else at_s, level)
        self._query("INSERT INTO pain_log (at_s, level) VALUES (?, ?)", (entry.at_s, level))
        return entry

    def pain_log(self) -> list[PainEntry]:
        rows = self._query("SELECT at_s, level FROM pain_log ORDER BY at_s, id").fetchall()
        return [PainEntry(at, level) for at, level in rows]

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: database error ({err})") from err
