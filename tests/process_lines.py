"""Lines of a running subprocess's output, read on a thread and waited for with deadlines."""

from __future__ import annotations

import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from typing import IO


def starts(prefix: str) -> Callable[[str], bool]:
    """For `Lines.wait_for`: a line that begins with `prefix`."""
    return lambda line: line.startswith(prefix)


class Lines:
    def __init__(self, stream: IO[str], process: subprocess.Popen[str] | None = None) -> None:
        self.process = process
        """The process writing `stream`, if the caller wants it at hand."""
        self.seen: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, wanted: str | Callable[[str], bool], timeout_s: float) -> str | None:
        """The first new line containing `wanted` (or passing it), None at the deadline
        or at the end of the stream."""
        test = wanted if callable(wanted) else (lambda line: wanted in line)
        deadline = time.monotonic() + timeout_s
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._queue.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            self.seen.append(line)
            if test(line):
                return line
        return None

    def drain(self, timeout_s: float = 5.0) -> list[str]:
        """Everything up to the end of the stream (the process has exited)."""
        self.wait_for(lambda _: False, timeout_s)
        return self.seen

    def tail(self) -> str:
        return "\n".join(self.seen[-40:])


def stop(process: subprocess.Popen[str] | subprocess.Popen[bytes], timeout_s: float) -> None:
    """SIGTERM, as systemd stops voiceback; SIGKILL if it has not exited in `timeout_s`."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
