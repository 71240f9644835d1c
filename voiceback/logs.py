"""Logging: one line per event, `key=value` pairs, made for journald and for grep.

    ts=2026-11-25T12:00:01.234Z level=warning logger=hands_free msg="microphone lost" ...

Under systemd (JOURNAL_STREAM names the stream stderr is on) the timestamp is left
out, since journald adds its own, and each line starts with a syslog priority prefix
(`<4>`) so `journalctl -p warning` filters by level. Fields beyond the message are
given with `extra=fields(key=value, ...)`. What people say is private: it is logged
only on the `voiceback.transcripts` logger, which is silent unless
`[debug] log_transcripts = true`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Mapping
from typing import IO

TRANSCRIPTS = "voiceback.transcripts"
"""The logger that carries what was heard; off unless [debug] log_transcripts."""
HEARS = ("voiceback.barge_in",)
"""Loggers whose records hold what was heard (barge-in logs what it made of the room
over its own voice): held back like transcripts."""
_FIELDS = "kv"
_HANDLER = "voiceback"
_PRIORITY = {"DEBUG": 7, "INFO": 6, "WARNING": 4, "ERROR": 3, "CRITICAL": 2}


def fields(**values: object) -> dict[str, dict[str, object]]:
    """`extra=` for a log call: `log.info("turn", extra=fields(nlu_ms=3.1))`."""
    return {_FIELDS: values}


def quote(value: object) -> str:
    """A value as it appears after `key=`: bare when it has no spaces, quotes or `=`."""
    if isinstance(value, float):
        text = f"{value:.1f}" if abs(value) >= 10 else f"{value:.3g}"
    else:
        text = str(value)
    if text and not any(c in text for c in ' "=\\\n\t'):
        return text
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


class KeyValueFormatter(logging.Formatter):
    """`level=... logger=... msg="..." key=value ...`, with or without a timestamp."""

    def __init__(self, journal: bool) -> None:
        super().__init__()
        self.journal = journal

    def format(self, record: logging.LogRecord) -> str:
        pairs: dict[str, object] = {}
        if not self.journal:
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            pairs["ts"] = f"{stamp}.{int(record.msecs):03d}Z"
        pairs["level"] = record.levelname.lower()
        pairs["logger"] = record.name.removeprefix("voiceback.")
        pairs["msg"] = record.getMessage()
        extra = getattr(record, _FIELDS, None)
        if isinstance(extra, Mapping):
            pairs.update({k: v for k, v in extra.items() if k not in pairs})
        if record.exc_info:
            pairs["error"] = self.formatException(record.exc_info)
        line = " ".join(f"{key}={quote(value)}" for key, value in pairs.items())
        if self.journal:
            return f"<{_PRIORITY.get(record.levelname, 6)}>{line}"
        return line


class PrivacyFilter(logging.Filter):
    """Drops records of the `HEARS` loggers unless transcripts are switched on."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.name not in HEARS or not logging.getLogger(TRANSCRIPTS).disabled


def under_journal(stream: IO[str]) -> bool:
    """Whether `stream` is connected to journald (systemd sets JOURNAL_STREAM=dev:inode)."""
    value = os.environ.get("JOURNAL_STREAM", "")
    device, _, inode = value.partition(":")
    if not (device.isdigit() and inode.isdigit()):
        return False
    try:
        info = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return (info.st_dev, info.st_ino) == (int(device), int(inode))


def setup(verbose: bool, stream: IO[str] | None = None) -> None:
    """Root logging to `stream` (stderr): INFO and up with --verbose, else WARNING."""
    out = stream if stream is not None else sys.stderr
    handler = logging.StreamHandler(out)
    handler.setFormatter(KeyValueFormatter(journal=under_journal(out)))
    handler.addFilter(PrivacyFilter())
    handler.set_name(_HANDLER)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == _HANDLER]:
        root.removeHandler(old)  # set up again (in-process calls of cli.main)
    root.addHandler(handler)
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    allow_transcripts(False)


def allow_transcripts(allowed: bool) -> None:
    """Switch the transcripts logger on ([debug] log_transcripts) or off (the default)."""
    logger = logging.getLogger(TRANSCRIPTS)
    logger.disabled = not allowed
    logger.setLevel(logging.INFO if allowed else logging.NOTSET)  # shown without --verbose
