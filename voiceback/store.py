"""SQLite store for what must survive a reboot: settings, timers, and the episode,
pain and medicine log.

The schema is versioned with ``PRAGMA user_version``; opening an older file adds
what is missing and keeps every row (version 0 had only ``kv`` and ``pain_log``).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from voiceback.logs import fields
from voiceback.types import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pain_log (
    id INTEGER PRIMARY KEY,
    at_s REAL NOT NULL,         -- Unix time
    level INTEGER NOT NULL CHECK (level BETWEEN 0 AND 10)
);
CREATE TABLE IF NOT EXISTS medicine_log (
    id INTEGER PRIMARY KEY,
    at_s REAL NOT NULL,         -- Unix time
    name TEXT NOT NULL,         -- "ibuprofen", or "medicine" when not named
    amount TEXT NOT NULL        -- as said: "2", "a", ""
);
CREATE TABLE IF NOT EXISTS episodes (
    id INTEGER PRIMARY KEY,
    started_s REAL NOT NULL,    -- Unix time of the first spasm report
    last_s REAL NOT NULL,       -- Unix time of the latest report
    ended_s REAL,               -- Unix time it was over (pain 0), NULL while active
    warned INTEGER NOT NULL DEFAULT 0   -- the 12-hour advice was said
);
CREATE TABLE IF NOT EXISTS timers (
    id INTEGER PRIMARY KEY,
    label TEXT NOT NULL,        -- what to remind of: "take the ice off", or ""
    minutes INTEGER NOT NULL,
    due_s REAL NOT NULL,        -- Unix time
    next_s REAL NOT NULL,       -- when to ring (again)
    rung INTEGER NOT NULL DEFAULT 0,
    done INTEGER NOT NULL DEFAULT 0     -- acknowledged, cancelled, or rung out
);
"""
_DAMAGED_CODES = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
EPISODE_GAP_S = 24 * 3600.0
"""A spasm report this long after the previous one starts a new episode."""


class _Damaged(Exception):
    """The file is not an SQLite database, or a damaged one."""


@dataclass(frozen=True, slots=True)
class PainEntry:
    at_s: float
    level: int


@dataclass(frozen=True, slots=True)
class MedicineEntry:
    at_s: float
    name: str
    amount: str


@dataclass(frozen=True, slots=True)
class Episode:
    id: int
    started_s: float
    last_s: float
    ended_s: float | None
    warned: bool


@dataclass(frozen=True, slots=True)
class Timer:
    id: int
    label: str
    minutes: int
    due_s: float
    next_s: float
    rung: int


class Store:
    """One SQLite file; every write is its own transaction, so a crash loses nothing written.

    With `recover`, a file that is not SQLite or is damaged (it fails to open or
    `PRAGMA quick_check`) is moved aside as `<name>.corrupt-<UTC time>` (`moved_aside`),
    with a warning in the log, and a fresh database is started in its place.
    """

    def __init__(self, path: Path, recover: bool = False) -> None:
        self.path = path
        self.moved_aside: Path | None = None
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise StoreError(f"{path}: cannot open the database ({err})") from err
        try:
            self._db = self._open()
        except _Damaged as damage:
            if not recover:
                raise StoreError(f"{path}: cannot open the database ({damage})") from damage
            self.moved_aside = self._move_aside(str(damage))
            self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        except (sqlite3.Error, OSError) as err:
            raise StoreError(f"{self.path}: cannot open the database ({err})") from err
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # a committed write survives power loss too
            problems = [row[0] for row in db.execute("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise _Damaged(f"quick_check: {'; '.join(problems[:3])}")
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as err:
            db.close()
            if getattr(err, "sqlite_errorcode", None) in _DAMAGED_CODES:
                raise _Damaged(str(err)) from err
            raise StoreError(f"{self.path}: cannot open the database ({err})") from err
        except _Damaged:
            db.close()
            raise
        return db

    def _move_aside(self, why: str) -> Path:
        """Rename the damaged file (and its WAL and shared-memory files) out of the way."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        for n in range(1, 100):
            if not aside.exists():
                break
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
        try:
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                extra = self.path.with_name(self.path.name + suffix)
                if extra.exists():
                    extra.replace(aside.with_name(aside.name + suffix))
        except OSError as err:
            raise StoreError(f"{self.path}: damaged ({why}) and can't be moved ({err})") from err
        log.warning(
            "database damaged (%s): kept it aside as %s and started a fresh one",
            why,
            aside,
            extra=fields(path=self.path, moved_to=aside),
        )
        return aside

    def close(self) -> None:
        self._db.close()

    def version(self) -> int:
        return int(self._query("PRAGMA user_version").fetchone()[0])

    # --- settings -----------------------------------------------------------------

    def get(self, key: str, default: str | None = None) -> str | None:
        row = self._query("SELECT value FROM kv WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def put(self, key: str, value: str) -> None:
        self._query("INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)", (key, value))

    # --- pain, medicine, episodes -------------------------------------------------

    def log_pain(self, level: int, at_s: float | None = None) -> PainEntry:
        if not 0 <= level <= 10:
            raise StoreError(f"pain level must be 0..10, got {level}")
        entry = PainEntry(time.time() if at_s is None else at_s, level)
        self._query("INSERT INTO pain_log (at_s, level) VALUES (?, ?)", (entry.at_s, level))
        return entry

    def pain_log(self, since_s: float = 0.0) -> list[PainEntry]:
        rows = self._query(
            "SELECT at_s, level FROM pain_log WHERE at_s >= ? ORDER BY at_s, id", (since_s,)
        ).fetchall()
        return [PainEntry(at, level) for at, level in rows]

    def log_medicine(self, name: str, amount: str, at_s: float) -> MedicineEntry:
        entry = MedicineEntry(at_s, name, amount)
        self._query(
            "INSERT INTO medicine_log (at_s, name, amount) VALUES (?, ?, ?)", (at_s, name, amount)
        )
        return entry

    def medicine_log(self) -> list[MedicineEntry]:
        rows = self._query("SELECT at_s, name, amount FROM medicine_log ORDER BY at_s, id")
        return [MedicineEntry(*row) for row in rows.fetchall()]

    def episode(self, now_s: float) -> Episode | None:
        """The active episode: not ended, and a report within EPISODE_GAP_S of now."""
        row = self._query(
            "SELECT id, started_s, last_s, ended_s, warned FROM episodes "
            "WHERE ended_s IS NULL AND last_s >= ? ORDER BY id DESC LIMIT 1",
            (now_s - EPISODE_GAP_S,),
        ).fetchone()
        return Episode(row[0], row[1], row[2], row[3], bool(row[4])) if row else None

    def episodes(self) -> list[Episode]:
        rows = self._query(
            "SELECT id, started_s, last_s, ended_s, warned FROM episodes ORDER BY id"
        )
        return [Episode(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows.fetchall()]

    def report_spasm(self, now_s: float) -> Episode:
        """Record a spasm report: extends the active episode or starts a new one."""
        active = self.episode(now_s)
        if active is None:
            self._query("INSERT INTO episodes (started_s, last_s) VALUES (?, ?)", (now_s, now_s))
        else:
            self._query("UPDATE episodes SET last_s = ? WHERE id = ?", (now_s, active.id))
        found = self.episode(now_s)
        if found is None:  # pragma: no cover - the row was just written
            raise StoreError(f"{self.path}: the episode was not recorded")
        return found

    def end_episode(self, now_s: float) -> None:
        self._query("UPDATE episodes SET ended_s = ? WHERE ended_s IS NULL", (now_s,))

    def mark_warned(self, episode_id: int) -> None:
        self._query("UPDATE episodes SET warned = 1 WHERE id = ?", (episode_id,))

    def delete_log(self) -> int:
        """Erase pain, medicine and episode records; returns how many rows went."""
        gone = 0
        for table in ("pain_log", "medicine_log", "episodes"):
            gone += self._query(f"DELETE FROM {table}").rowcount
        return gone

    # --- timers -------------------------------------------------------------------

    def add_timer(self, label: str, minutes: int, now_s: float) -> Timer:
        due = now_s + minutes * 60.0
        cursor = self._query(
            "INSERT INTO timers (label, minutes, due_s, next_s) VALUES (?, ?, ?, ?)",
            (label, minutes, due, due),
        )
        return Timer(int(cursor.lastrowid or 0), label, minutes, due, due, 0)

    def timers(self) -> list[Timer]:
        """Timers still to ring or ringing, soonest first."""
        rows = self._query(
            "SELECT id, label, minutes, due_s, next_s, rung FROM timers WHERE done = 0 "
            "ORDER BY due_s, id"
        ).fetchall()
        return [Timer(*row) for row in rows]

    def ring(self, timer_id: int, next_s: float, last: bool) -> None:
        """One reminder said: ring again at next_s, or never when it was the last."""
        self._query(
            "UPDATE timers SET rung = rung + 1, next_s = ?, done = ? WHERE id = ?",
            (next_s, int(last), timer_id),
        )

    def finish_timer(self, timer_id: int) -> None:
        """Cancelled or acknowledged: it rings no more."""
        self._query("UPDATE timers SET done = 1 WHERE id = ?", (timer_id,))

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> sqlite3.Cursor:
        try:
            return self._db.execute(sql, args)
        except sqlite3.Error as err:
            raise StoreError(f"{self.path}: database error ({err})") from err
