"""Reading the RIFF/WAVE container: the header, and decoding sample blocks to float.

Python's `wave` module only knows integer PCM in a plain `fmt ` chunk; this reads
integer PCM of 8, 16, 24 and 32 bits and IEEE float of 32 and 64 bits, plain or in a
WAVE_FORMAT_EXTENSIBLE header (what sox and most editors write for >16 bits or >2
channels). Every failure is an `AudioError` naming the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import numpy.typing as npt

from voiceback.types import AudioError

_PCM = 0x0001
_FLOAT = 0x0003
_EXTENSIBLE = 0xFFFE
_STREAMED_SIZES = (0, 0xFFFFFFFF)
"""`data` sizes that writers leave when they could not seek back: read to the end."""

_NAMES = {0x0002: "MS ADPCM", 0x0006: "A-law", 0x0007: "mu-law", 0x0011: "IMA ADPCM"}

FloatArray = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class WavFormat:
    """What a WAV file holds and where its samples are."""

    rate_hz: int
    channels: int
    bits: int
    """Bits per sample in the container (24 for packed 24-bit, 32 for float32)."""
    is_float: bool
    data_offset: int
    """Byte offset of the first sample in the file."""
    frames: int

    @property
    def frame_bytes(self) -> int:
        return self.channels * self.bits // 8

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate_hz


def read_format(path: Path, stream: BinaryIO) -> WavFormat:
    """Parse the header of an open WAV file; raise AudioError on anything unusable."""
    size = stream.seek(0, 2)
    stream.seek(0)
    if size == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes)")
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        kind = "an RF64 WAV (not supported)" if head[:4] == b"RF64" else "not a WAV file"
        raise AudioError(f"{path}: {kind} (no RIFF/WAVE header)")
    fmt: tuple[int, int, int, int] | None = None
    while True:
        header = stream.read(8)
        if len(header) < 8:
            missing = "fmt " if fmt is None else "data"
            raise AudioError(f"{path}: truncated or damaged WAV, no '{missing}' chunk")
        chunk_id, chunk_size = struct.unpack("<4sI", header)
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(path, stream.read(chunk_size))
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioError(f"{path}: damaged WAV, 'data' comes before 'fmt '")
            return _format(path, fmt, stream.tell(), chunk_size, size)
        else:
            stream.seek(chunk_size + (chunk_size & 1), 1)


def _parse_fmt(path: Path, body: bytes) -> tuple[int, int, int, int]:
    """(format tag, channels, rate, bits) from a `fmt ` chunk body."""
    if len(body) < 16:
        raise AudioError(f"{path}: truncated or damaged WAV, 'fmt ' chunk too short")
    tag, channels, rate, _byte_rate, _align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE:
        if len(body) < 40:
            raise AudioError(f"{path}: damaged WAV, extensible 'fmt ' chunk too short")
        (tag,) = struct.unpack("<H", body[24:26])
    supported = (tag == _PCM and bits in (8, 16, 24, 32)) or (tag == _FLOAT and bits in (32, 64))
    if not supported:
        name = _NAMES.get(tag, f"format tag 0x{tag:04x}")
        raise AudioError(
            f"{path}: unsupported WAV encoding ({name}, {bits}-bit); "
            "use integer PCM (8/16/24/32-bit) or 32/64-bit float"
        )
    if channels < 1 or rate < 1:
        raise AudioError(f"{path}: damaged WAV header ({channels} channels at {rate} Hz)")
    return tag, channels, rate, bits


def _format(
    path: Path, fmt: tuple[int, int, int, int], offset: int, declared: int, file_size: int
) -> WavFormat:
    tag, channels, rate, bits = fmt
    available = file_size - offset
    data_bytes = available if declared in _STREAMED_SIZES else declared
    frame_bytes = channels * bits // 8
    if data_bytes > available:
        have, want = available / frame_bytes / rate, data_bytes / frame_bytes / rate
        raise AudioError(
            f"{path}: truncated WAV, the header promises {want:.2f} s of audio "
            f"but only {have:.2f} s are in the file"
        )
    frames = data_bytes // frame_bytes
    if frames == 0:
        raise AudioError(f"{path}: the WAV file holds no audio (0 samples)")
    return WavFormat(rate, channels, bits, tag == _FLOAT, offset, frames)


def decode(raw: bytes, fmt: WavFormat) -> FloatArray:
    """Little-endian sample bytes -> float32 array of shape (frames, channels) in -1..1."""
    usable = len(raw) - len(raw) % fmt.frame_bytes
    buf = raw[:usable]
    if fmt.is_float:
        samples = np.frombuffer(buf, "<f4" if fmt.bits == 32 else "<f8").astype(np.float32)
    elif fmt.bits == 8:
        samples = (np.frombuffer(buf, np.uint8).astype(np.float32) - 128.0) / 128.0
    elif fmt.bits == 24:
        samples = _int24(buf).astype(np.float32) / float(1 << 23)
    else:
        dtype = "<i2" if fmt.bits == 16 else "<i4"
        samples = np.frombuffer(buf, dtype).astype(np.float32) / float(1 << (fmt.bits - 1))
    return samples.reshape(-1, fmt.channels)


def _int24(buf: bytes) -> npt.NDArray[np.int32]:
    """Packed 3-byte little-endian signed integers -> int32."""
    b = np.frombuffer(buf, np.uint8).reshape(-1, 3).astype(np.int32)
    value = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
    return (value << 8) >> 8
