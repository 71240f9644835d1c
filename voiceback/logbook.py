"""`voiceback log --export csv [--out FILE]`: the episode, pain and medicine log, written
out for a doctor's visit. One row per record, oldest first:
``time`` (local ISO 8601), ``kind`` (spasm_start, spasm_end, pain, medicine), ``value``
(the pain level 0-10, the medicine's name), ``detail`` (the amount said, the episode's
length so far).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from voiceback.config import Settings
from voiceback.dialog.words import span
from voiceback.store import Store
from voiceback.types import InputError, VoicebackError

COLUMNS = ("time", "kind", "value", "detail")


def rows(store: Store) -> list[tuple[str, str, str, str]]:
    """The whole log as CSV rows (without the header), oldest first."""
    order = {"spasm_start": 0, "pain": 1, "medicine": 1, "spasm_end": 2}
    found = sorted(_records(store), key=lambda row: (row[0], order[row[1]]))
    return [(_iso(at), kind, value, detail) for at, kind, value, detail in found]


def _records(store: Store) -> Iterator[tuple[float, str, str, str]]:
    for episode in store.episodes():
        end = episode.ended_s
        lasted = span((end if end is not None else episode.last_s) - episode.started_s)
        yield episode.started_s, "spasm_start", "", ""
        if end is not None:
            yield end, "spasm_end", "", f"lasted {lasted}"
    for pain in store.pain_log():
        yield pain.at_s, "pain", str(pain.level), "out of 10"
    for medicine in store.medicine_log():
        yield medicine.at_s, "medicine", medicine.name, medicine.amount


def _iso(at_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(at_s))


def to_csv(store: Store) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(rows(store))
    return out.getvalue()


def command(settings: Settings, args: argparse.Namespace) -> int:
    """Write the log as CSV to args.out, or to stdout; 0 on success."""
    if args.export != "csv":
        raise InputError(f"unknown export format {args.export!r}: use csv")
    if not settings.database.is_file():
        text = ",".join(COLUMNS) + "\n"
    else:
        store = Store(settings.database)
        try:
            text = to_csv(store)
        finally:
            store.close()
    out: Path | None = args.out
    if out is None:
        sys.stdout.write(text)
        return 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as err:
        raise VoicebackError(f"{out}: cannot be written ({err.strerror})") from err
    print(f"wrote {text.count(chr(10)) - 1} records to {out}", file=sys.stderr)
    return 0
