"""WavSource: a WAV file of any rate, channel count and sample format as 16 kHz mono chunks."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from voiceback.audio.convert import NOISE_FLOOR_DBFS, Converter
from voiceback.audio.wavfile import WavFormat, decode, read_format
from voiceback.types import SAMPLE_RATE_HZ, AudioChunk, AudioError

_READ_BLOCK_S = 0.25


class WavSource:
    """Chunks of 16 kHz mono s16le from a WAV file, optionally paced like a microphone.

    The header is read and checked when the source is made, so a bad file fails early
    with an AudioError naming it. Iterating reads, converts and yields `AudioChunk`s of
    `chunk_ms` (the last one may be shorter); with `realtime=True` each chunk is
    yielded no earlier than the moment its last sample would have left a microphone.
    Runs of exact digital zeros get a faint noise floor (`noise_floor_dbfs`, None = off).
    """

    def __init__(
        self,
        path: str | Path,
        *,
        chunk_ms: int = 30,
        realtime: bool = False,
        noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS,
    ) -> None:
        if chunk_ms <= 0:
            raise ValueError(f"chunk_ms must be positive, got {chunk_ms}")
        self.path = Path(path)
        self.chunk_samples = SAMPLE_RATE_HZ * chunk_ms // 1000
        self.realtime = realtime
        self.noise_floor_dbfs = noise_floor_dbfs
        self._file = _open(self.path)
        try:
            self.format: WavFormat = read_format(self.path, self._file)
        except BaseException:
            self._file.close()
            raise

    @property
    def duration_s(self) -> float:
        """Length of the file's audio in seconds."""
        return self.format.duration_s

    def __iter__(self) -> Iterator[AudioChunk]:
        converter = Converter(self.format.rate_hz, self.chunk_samples, self.noise_floor_dbfs)
        pace = _Pacer() if self.realtime else None
        for block in self._blocks():
            for chunk in converter.push(decode(block, self.format)):
                yield _paced(chunk, pace)
        for chunk in converter.finish():
            yield _paced(chunk, pace)

    def _blocks(self) -> Iterator[bytes]:
        fmt = self.format
        block_bytes = max(1, int(fmt.rate_hz * _READ_BLOCK_S)) * fmt.frame_bytes
        remaining = fmt.frames * fmt.frame_bytes
        try:
            self._file.seek(fmt.data_offset)
            while remaining > 0:
                block = self._file.read(min(block_bytes, remaining))
                if not block:
                    raise AudioError(f"{self.path}: the file ended early (truncated while reading)")
                remaining -= len(block)
                yield block
        except (OSError, ValueError) as err:
            raise AudioError(f"{self.path}: cannot read audio: {err}") from err

    def read_all(self) -> bytes:
        """The whole file as one block of 16 kHz mono s16le (ignores `realtime`)."""
        realtime, self.realtime = self.realtime, False
        try:
            return b"".join(chunk.pcm for chunk in self)
        finally:
            self.realtime = realtime

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> WavSource:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def read_wav(path: str | Path, noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS) -> bytes:
    """A whole WAV file as 16 kHz mono s16le bytes; AudioError if it can't be used."""
    with WavSource(path, noise_floor_dbfs=noise_floor_dbfs) as source:
        return source.read_all()


def _open(path: Path) -> BinaryIO:
    try:
        return path.open("rb")
    except OSError as err:
        raise AudioError(f"{path}: cannot open: {err.strerror or err}") from err


class _Pacer:
    """Sleeps so that audio comes out no faster than real time."""

    def __init__(self) -> None:
        self._t0 = time.monotonic()

    def wait_until(self, audio_s: float) -> None:
        delay = self._t0 + audio_s - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def _paced(chunk: AudioChunk, pace: _Pacer | None) -> AudioChunk:
    if pace is not None:
        pace.wait_until(chunk.start_s + chunk.duration_s)
    return chunk
