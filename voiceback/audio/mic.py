"""MicSource: a sounddevice input stream delivering 16 kHz mono AudioChunks through a queue."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent import futures
from concurrent.futures import Future
from types import ModuleType, TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from voiceback.audio.convert import NOISE_FLOOR_DBFS, Converter
from voiceback.audio.devices import DeviceInfo, find_input, list_devices, rescan, sounddevice
from voiceback.types import SAMPLE_RATE_HZ, AudioChunk, AudioError

_POLL_S = 0.1
_CLOSE_TIMEOUT_S = 2.0
_log = logging.getLogger(__name__)


class MicSource:
    """The configured microphone as 16 kHz mono s16le `AudioChunk`s.

    `device` is an index, a name or part of one, or None for the default input. The
    stream runs at 16 kHz when the device accepts it, else at the device's own rate,
    and is resampled. PortAudio's callback only queues blocks (of `block_ms`: fewer
    wake-ups cost less CPU, more add latency); `read()` converts them into `chunk_ms`
    chunks.

    Failures are AudioErrors: no such device, a device that won't open, a stream that
    ends (device unplugged, sound server gone), or no audio for `stall_timeout_s`
    (`start_timeout_s` for the first block; PulseAudio through ALSA takes ~2 s to start).
    After one, `reopen()` (with backoff, by the caller) tries again from scratch.
    """

    def __init__(
        self,
        device: str | int | None = None,
        *,
        chunk_ms: int = 30,
        block_ms: int = 60,
        stall_timeout_s: float = 2.0,
        start_timeout_s: float = 6.0,
        buffer_s: float = 20.0,
        noise_floor_dbfs: float | None = NOISE_FLOOR_DBFS,
    ) -> None:
        self.device_spec = device
        self.chunk_ms = chunk_ms
        self.block_ms = block_ms
        self.stall_timeout_s = stall_timeout_s
        self.start_timeout_s = start_timeout_s
        self.noise_floor_dbfs = noise_floor_dbfs
        self.device: DeviceInfo | None = None
        self.rate_hz = 0
        self.dropped_blocks = 0
        """Blocks thrown away (oldest first) because nobody read for `buffer_s`."""
        self.overflows = 0
        """Times PortAudio reported lost input (the system was too slow)."""
        self._buffer_s = buffer_s
        self._stream: Any = None
        self._closer: threading.Thread | None = None
        self._late_open: Future[Any] | None = None
        self._open_lock = threading.Lock()
        self._queue: queue.Queue[npt.NDArray[np.float32]] = queue.Queue()
        self._ready: deque[AudioChunk] = deque()
        self._converter: Converter | None = None
        self._opened_at = 0.0
        self._last_block_at = 0.0
        self._ended = False

    # --- opening and closing ---------------------------------------------------------

    def open(self) -> None:
        """Find the device and start recording; AudioError if that fails.

        Bounded by `start_timeout_s`: a sound server that does not answer makes
        PortAudio wait forever, so the opening runs on a helper thread (a stream that
        opens too late is closed at once).
        """
        if self._stream is not None:
            return
        opened: Future[Any] = Future()
        abandoned = threading.Event()
        opener = threading.Thread(target=self._open_into, args=(opened, abandoned), daemon=True)
        opener.start()
        opener.join(self.start_timeout_s)
        with self._open_lock:
            if not opened.done():
                abandoned.set()
                self._late_open = opened
                raise AudioError(
                    f"the microphone {self.device_spec or '(default)'} did not open within "
                    f"{self.start_timeout_s:.0f} s (is the sound server answering?)"
                )
        self._stream = opened.result()

    def _open_into(self, opened: Future[Any], abandoned: threading.Event) -> None:
        try:
            stream = self._open_stream()
        except BaseException as err:  # handed to the caller of open()
            opened.set_exception(err)
            return
        with self._open_lock:
            if abandoned.is_set():  # open() gave up waiting: nobody wants it now
                self._close_stream(stream)
                stream = None
            opened.set_result(stream)

    def _open_stream(self) -> Any:
        sd = sounddevice()
        try:
            info = find_input(self.device_spec, list_devices())
        except AudioError:
            info = find_input(self.device_spec, list_devices(rescan_first=True))
        channels, rate = _settings(sd, info)
        blocksize = rate * self.block_ms // 1000
        self._reset(info, rate, blocksize)
        failure = f"cannot open microphone {_label(info)} at {rate} Hz"
        try:
            stream = sd.InputStream(
                device=info.index,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=blocksize,
                callback=self._callback,
                finished_callback=self._finished,
            )
        except (sd.PortAudioError, ValueError) as err:
            raise AudioError(f"{failure}: {err}") from err
        try:
            stream.start()
        except sd.PortAudioError as err:
            stream.close()
            raise AudioError(f"{failure}: {err}") from err
        return stream

    def reopen(self, rescan_devices: bool = True) -> None:
        """Close, optionally re-enumerate devices (to find a replugged mic), and open again.

        The device list is not re-read while an earlier stream is still stuck closing:
        PortAudio would wait for that stream forever.
        """
        self.close()
        if rescan_devices and self._settled(_CLOSE_TIMEOUT_S):
            rescan()
        elif rescan_devices:
            _log.warning("not re-listing devices: an old microphone stream is stuck")
        self.open()

    def close(self) -> None:
        """Stop recording; safe to call twice, never blocks for more than ~2 s.

        A frozen sound server can make PortAudio's abort wait forever, so the stream
        is closed on a helper thread; if that does not finish in time it is left behind.
        """
        stream, self._stream = self._stream, None
        if stream is None:
            return
        self._closer = threading.Thread(target=self._close_stream, args=(stream,), daemon=True)
        self._closer.start()
        if not self._settled(_CLOSE_TIMEOUT_S):
            _log.warning("microphone %s did not close; left behind", _label(self.device))

    def _settled(self, timeout_s: float) -> bool:
        """Whether no earlier stream is still opening or closing (waits up to `timeout_s`)."""
        if self._late_open is not None:
            futures.wait([self._late_open], timeout_s)
            if not self._late_open.done():
                return False
            self._late_open = None
        if self._closer is not None:
            self._closer.join(timeout_s)
            if self._closer.is_alive():
                return False
            self._closer = None
        return True

    def _close_stream(self, stream: Any) -> None:
        sd = sounddevice()
        try:
            stream.abort()
            stream.close()
        except sd.PortAudioError as err:  # a vanished device: nothing left to free
            _log.warning("closing microphone %s: %s", _label(self.device), err)

    def flush(self) -> None:
        """Throw away audio captured but not read yet (e.g. while the coach was talking)."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._ready.clear()

    def drain(self) -> bytes:
        """Audio captured but not read yet, as 16 kHz s16le PCM; the queue is emptied.

        Like `flush()`, but keeps what was heard (barge-in looks at it for "stop")."""
        if self._converter is None:
            return b""
        chunks = list(self._ready)
        self._ready.clear()
        while True:
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                break
            chunks.extend(self._converter.push(block))
        return b"".join(chunk.pcm for chunk in chunks)

    def __enter__(self) -> MicSource:
        self.open()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, err: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------

    def read(self) -> AudioChunk:
        """The next chunk; blocks until there is one. AudioError on a dead or stalled stream."""
        if self._stream is None or self._converter is None:
            raise AudioError("the microphone is not open")
        while not self._ready:
            self._ready.extend(self._converter.push(self._next_block()))
        return self._ready.popleft()

    def __iter__(self) -> Iterator[AudioChunk]:
        """Chunks until `close()` (from any thread); raises AudioError when the stream dies."""
        while True:
            try:
                chunk = self.read()
            except AudioError:
                if self._stream is None:
                    return
                raise
            yield chunk

    def _next_block(self) -> npt.NDArray[np.float32]:
        while True:
            try:
                return self._queue.get(timeout=_POLL_S)
            except queue.Empty:
                if self._stream is None:
                    raise AudioError("the microphone was closed") from None
                self._check_alive()

    def _check_alive(self) -> None:
        label = _label(self.device)
        if self._ended:
            raise AudioError(
                f"the microphone {label} stopped delivering audio "
                "(unplugged, or the sound server went away); it will be reopened"
            )
        now = time.monotonic()
        if self._last_block_at == 0.0 and now - self._opened_at > self.start_timeout_s:
            raise AudioError(
                f"the microphone {label} opened but sent no audio for {self.start_timeout_s:.0f} s"
            )
        if self._last_block_at and now - self._last_block_at > self.stall_timeout_s:
            raise AudioError(
                f"the microphone {label} stalled: no audio for {now - self._last_block_at:.1f} s"
            )

    # --- PortAudio's thread ------------------------------------------------------------

    def _callback(self, indata: npt.NDArray[np.float32], frames: int, _t: Any, status: Any) -> None:
        self._last_block_at = time.monotonic()
        if status.input_overflow:
            self.overflows += 1
        block = indata[:, 0].copy() if indata.shape[1] == 1 else indata.mean(axis=1)
        while True:
            try:
                self._queue.put_nowait(block.astype(np.float32, copy=False))
                return
            except queue.Full:
                self._drop_oldest()

    def _drop_oldest(self) -> None:
        try:
            self._queue.get_nowait()
            self.dropped_blocks += 1
        except queue.Empty:
            pass

    def _finished(self) -> None:
        self._ended = True

    def _reset(self, info: DeviceInfo, rate: int, blocksize: int) -> None:
        self.device, self.rate_hz = info, rate
        chunk_samples = SAMPLE_RATE_HZ * self.chunk_ms // 1000
        self._converter = Converter(rate, chunk_samples, self.noise_floor_dbfs)
        self._queue = queue.Queue(maxsize=max(1, int(self._buffer_s * rate / blocksize)))
        self._ready.clear()
        self._ended = False
        self._opened_at = time.monotonic()
        self._last_block_at = 0.0


def _settings(sd: ModuleType, info: DeviceInfo) -> tuple[int, int]:
    """(channels, rate): mono at 16 kHz if the device takes it, else what it takes."""
    for channels in dict.fromkeys((1, min(2, info.inputs))):
        for rate in dict.fromkeys((SAMPLE_RATE_HZ, info.default_rate_hz)):
            try:
                sd.check_input_settings(
                    device=info.index, channels=channels, samplerate=rate, dtype="float32"
                )
            except (sd.PortAudioError, ValueError):
                continue
            return channels, rate
    raise AudioError(
        f"microphone {_label(info)} accepts neither 16000 Hz nor {info.default_rate_hz} Hz "
        "in mono or stereo"
    )


def _label(info: DeviceInfo | None) -> str:
    return "(none)" if info is None else f"#{info.index} {info.name!r}"
