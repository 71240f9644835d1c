"""Speech out: pyttsx3 (espeak-ng driver) synthesizes, sounddevice plays, or a WAV file.

pyttsx3's own espeak playback shells out to `aplay` and prints to stdout, so here it
only renders speech to a temporary WAV; playback goes through sounddevice, sentence
by sentence, so a reply can be stopped at a sentence boundary. Only this module
imports pyttsx3.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
import threading
import time
import wave
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from voiceback.types import AudioError, SpeechError

STALL_S = 3.0
"""A stream that pulls no audio for this long is dead (PulseAudio's start takes ~2 s)."""
BLOCK_S = 0.025
"""Audio handed to the open output stream per callback. The stream stays open while
voiceback listens; PortAudio's own choice (a few ms through PulseAudio) cost 3-4 % of a
core in callbacks filling silence, 25 ms blocks 1.5 %, for 11 ms more output latency."""
SYNTH_TIMEOUT_S = 10.0
"""Longest wait for espeak-ng to finish one sentence."""
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """Split a reply into sentences, the units that speech can stop between."""
    return [s for s in (part.strip() for part in _SENTENCE_END.split(text)) if s]


@dataclass(frozen=True, slots=True)
class Speech:
    """Synthesized speech: mono s16le PCM."""

    pcm: bytes
    rate_hz: int

    @property
    def duration_s(self) -> float:
        return len(self.pcm) / 2 / self.rate_hz


class Synthesizer(Protocol):
    def synthesize(self, text: str) -> Speech: ...
    def configure(self, *, voice_name: str = "", rate_wpm: int, volume: float) -> None: ...


class Pyttsx3Synthesizer:
    """pyttsx3 with the espeak-ng driver, rendering to memory through a temporary WAV."""

    def __init__(self, voice_name: str = "", rate_wpm: int = 150, volume: float = 0.9) -> None:
        try:
            import pyttsx3
        except Exception as err:  # ImportError, or OSError when libespeak-ng is missing
            raise SpeechError(
                f"Speech synthesis is unavailable ({err}); install espeak-ng (apt-get install "
                "espeak-ng) and pyttsx3"
            ) from err
        try:
            self._engine = pyttsx3.init("espeak")
        except Exception as err:
            raise SpeechError(
                f"espeak-ng could not start ({err}); is espeak-ng installed?"
            ) from err
        self._lock = threading.Lock()
        self._finished = threading.Event()
        # pyttsx3's espeak driver writes the file from espeak-ng's callback thread, and
        # runAndWait can return before that (about 1 start in 5 here): wait for the
        # driver's "finished-utterance", which it sends once the file is written.
        self._engine.connect("finished-utterance", lambda **_: self._finished.set())
        self.configure(voice_name=voice_name, rate_wpm=rate_wpm, volume=volume)

    def configure(self, *, voice_name: str = "", rate_wpm: int, volume: float) -> None:
        with self._lock:
            if voice_name:
                self._set_voice(voice_name)
            # pyttsx3's Engine.setProperty only queues the change, and its espeak driver
            # starts a save_to_file synthesis before running that queue, so the change
            # would land late. The driver sets it on espeak-ng, whose command queue
            # Synchronize() then drains, so the next utterance has the new values.
            from pyttsx3.drivers import _espeak

            driver = self._engine.proxy._driver
            driver.setProperty("rate", rate_wpm)
            driver.setProperty("volume", volume)
            _espeak.Synchronize()

    def _set_voice(self, voice_name: str) -> None:
        voices = self._engine.getProperty("voices")
        for voice in voices:
            if voice_name in (voice.id, voice.name):
                self._engine.setProperty("voice", voice.id)
                return
        raise SpeechError(f"speech.voice_name: no espeak-ng voice called {voice_name!r}")

    def synthesize(self, text: str) -> Speech:
        with self._lock, tempfile.TemporaryDirectory(prefix="voiceback-tts-") as tmp:
            path = Path(tmp) / "speech.wav"
            self._finished.clear()
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    self._engine.save_to_file(text, str(path))
                    self._engine.runAndWait()
                    finished = self._finished.wait(SYNTH_TIMEOUT_S)
            except Exception as err:
                raise SpeechError(f"espeak-ng failed to speak ({err})") from err
            if not finished or not path.is_file():
                raise SpeechError("espeak-ng produced no audio")
            return read_wav_pcm(path)


def read_wav_pcm(path: Path) -> Speech:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != 2 or wav.getnchannels() != 1:
                raise SpeechError(f"{path}: expected mono 16-bit speech")
            return Speech(wav.readframes(wav.getnframes()), wav.getframerate())
    except (OSError, EOFError, wave.Error) as err:
        raise SpeechError(f"{path}: the synthesized speech can't be read ({err})") from err


def write_wav(path: Path, speech: Speech) -> None:
    """Write speech to a WAV file (atomically: a crash leaves no half file)."""
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as raw, wave.open(raw, "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(speech.rate_hz)
            wav.writeframes(speech.pcm)
        tmp.replace(path)
    except OSError as err:
        raise SpeechError(f"{path}: cannot write the WAV file ({err.strerror})") from err


def join(parts: list[Speech], pause_s: float = 0.25) -> Speech:
    """Concatenate speech with a short pause between parts (all at the first part's rate)."""
    if not parts:
        return Speech(b"", 22_050)
    rate = parts[0].rate_hz
    gap = b"\x00\x00" * int(rate * pause_s)
    return Speech(gap.join(p.pcm for p in parts if p.rate_hz == rate), rate)


class Player:
    """Plays speech on an output device with sounddevice; stoppable between blocks.

    One output stream stays open and plays silence between replies: opening a stream
    per reply cost about 2 s before the first sound through PulseAudio's ALSA plugin
    (measured here), and a reply must start speaking at once. Speech at another rate
    than the stream's is resampled (soxr). A stream that stops pulling audio (the
    device vanished) raises AudioError, and the next play opens a new one.
    """

    def __init__(self, device: str | int | None = None) -> None:
        self._device = device
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._stream: Any = None
        self._rate_hz = 0
        self._pending: Any = None  # int16 samples not yet handed to the device
        self._drained = threading.Event()
        self._pulled_at = 0.0

    def play(self, speech: Speech) -> None:
        """Play to the end (or until stop())."""
        import numpy as np

        samples = np.frombuffer(speech.pcm, dtype="<i2")
        if not len(samples):
            return
        stream = self._open(speech.rate_hz)
        if speech.rate_hz != self._rate_hz:
            import soxr

            samples = soxr.resample(samples, speech.rate_hz, self._rate_hz)
        with self._lock:
            self._pending = samples
            self._drained.clear()
            self._pulled_at = time.monotonic()
        while not self._drained.wait(0.05):
            if self._stop.is_set():
                self._discard()
                return
            if time.monotonic() - self._pulled_at > STALL_S or not stream.active:
                self._discard()
                self.close()
                raise AudioError("No speaker to play on: the output device stopped playing")
        time.sleep(float(stream.latency))  # the last block, still in the device's buffer

    def open(self, rate_hz: int = 22_050) -> None:
        """Open the output stream now, so that the first reply starts without delay."""
        self._open(rate_hz)

    def _open(self, rate_hz: int) -> Any:
        if self._stream is not None:
            return self._stream
        import sounddevice as sd

        errors: list[str] = []
        for rate in dict.fromkeys((rate_hz, *_device_rate(sd, self._device))):
            try:
                stream = sd.OutputStream(
                    samplerate=rate,
                    channels=1,
                    dtype="int16",
                    device=self._device,
                    blocksize=round(rate * BLOCK_S),
                    callback=_weak_callback(self, sd.CallbackStop),
                )
                stream.start()
            except (sd.PortAudioError, OSError, ValueError) as err:
                errors.append(str(err))
                continue
            self._stream, self._rate_hz = stream, rate
            return stream
        raise AudioError(f"No speaker to play on: is one plugged in and on? ({errors[-1]})")

    def _callback(self, out: Any, frames: int, _time: Any, _status: Any) -> None:
        with self._lock:
            self._pulled_at = time.monotonic()
            pending = self._pending
            if pending is None:
                out.fill(0)
                return
            n = min(frames, len(pending))
            out[:n, 0] = pending[:n]
            out[n:].fill(0)
            self._pending = pending[n:] if n < len(pending) else None
            if self._pending is None:
                self._drained.set()

    def _discard(self) -> None:
        with self._lock:
            self._pending = None
            self._drained.set()

    def stop(self) -> None:
        self._stop.set()
        self._discard()

    def clear(self) -> None:
        self._stop.clear()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def close(self) -> None:
        """Close the output stream (a later play opens a new one)."""
        stream, self._stream = self._stream, None
        if stream is not None:
            import sounddevice as sd

            try:
                stream.abort()
                stream.close()
            except sd.PortAudioError:
                pass  # a vanished device: nothing left to free


def _weak_callback(player: Player, stop: type[Exception]) -> Callable[..., None]:
    """The stream's callback, holding the player weakly: a player dropped without
    close() is collected (and closes its stream) instead of living on in a cycle
    with a stream whose callback PortAudio still calls."""
    ref = weakref.ref(player)

    def callback(out: Any, frames: int, when: Any, status: Any) -> None:
        alive = ref()
        if alive is None:
            out.fill(0)
            raise stop
        alive._callback(out, frames, when, status)

    return callback


def _device_rate(sd: Any, device: str | int | None) -> tuple[int, ...]:
    """The device's own default rate, to try when it won't take the speech's."""
    try:
        return (int(sd.query_devices(device, "output")["default_samplerate"]),)
    except (sd.PortAudioError, ValueError, KeyError):
        return ()


class Voice:
    """Speaks replies sentence by sentence; stop() takes effect at the next boundary.

    `after_sentence`, if set, is called with each sentence's audio once it has been
    played; returning True stops the reply there (barge-in).
    """

    def __init__(self, synth: Synthesizer, player: Player) -> None:
        self.synth = synth
        self.player = player
        self.after_sentence: Callable[[Speech], bool] | None = None
        self._stopped = threading.Event()

    def say(self, text: str) -> None:
        self._stopped.clear()
        self.player.clear()
        for sentence in sentences(text):
            if self._stopped.is_set():
                return
            speech = self.synth.synthesize(sentence)
            self.player.play(speech)
            if self.after_sentence is not None and self.after_sentence(speech):
                self._stopped.set()
                return

    def stop(self) -> None:
        self._stopped.set()
        self.player.stop()

    def configure(self, *, rate_wpm: int, volume: float) -> None:
        self.synth.configure(rate_wpm=rate_wpm, volume=volume)


def render(synth: Synthesizer, text: str) -> Speech:
    """The whole reply as one piece of audio, sentence by sentence."""
    return join([synth.synthesize(s) for s in sentences(text)])
