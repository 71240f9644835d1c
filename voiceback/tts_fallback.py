"""Speech that keeps going when a synthesizer fails: the espeak-ng command line, and a chain.

`EspeakCommandSynthesizer` runs `espeak-ng --stdout` (WAV bytes on stdout) in a child
process, so it works when pyttsx3 or the libespeak-ng it loads is broken.
`FallbackSynthesizer` tries its synthesizers in order for each sentence: pyttsx3 first,
then the command line. When every one fails it raises SpeechError, and the caller
(Assistant.say) leaves the reply as printed text.
"""

from __future__ import annotations

import logging
import shutil
import struct
import subprocess
from collections.abc import Sequence

from voiceback.tts import SYNTH_TIMEOUT_S, Speech, Synthesizer
from voiceback.types import SpeechError

log = logging.getLogger(__name__)

COMMAND = "espeak-ng"


class EspeakCommandSynthesizer:
    """The `espeak-ng` program: `--stdout` gives a WAV (22050 Hz mono s16le) per sentence."""

    def __init__(self, voice_name: str = "", rate_wpm: int = 150, volume: float = 0.9) -> None:
        program = shutil.which(COMMAND)
        if program is None:
            raise SpeechError(
                f"the {COMMAND} command is not on PATH; install it (apt-get install espeak-ng)"
            )
        self.program = program
        self.voice_name = voice_name
        self.rate_wpm = rate_wpm
        self.volume = volume

    def configure(self, *, voice_name: str = "", rate_wpm: int, volume: float) -> None:
        if voice_name:
            self.voice_name = voice_name
        self.rate_wpm, self.volume = rate_wpm, volume

    def synthesize(self, text: str) -> Speech:
        try:
            return self._run(text)
        except SpeechError as err:
            if not self.voice_name:
                raise
            log.warning("%s; speaking with the default English voice", err)
            self.voice_name = ""  # a bad speech.voice_name must not silence the device
            return self._run(text)

    def _run(self, text: str) -> Speech:
        command = [self.program, "--stdout", "-s", str(self.rate_wpm)]
        command += ["-a", str(round(self.volume * 100))]  # espeak-ng: 100 = normal
        if self.voice_name:
            command += ["-v", self.voice_name]
        try:
            done = subprocess.run(
                [*command, "--", text], capture_output=True, timeout=SYNTH_TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise SpeechError(f"{COMMAND} could not be run ({err})") from err
        if done.returncode != 0:
            why = done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}"
            voice = f" with voice {self.voice_name!r}" if self.voice_name else ""
            raise SpeechError(f"{COMMAND} failed{voice}: {why}")
        return wav_bytes_to_speech(done.stdout)


def wav_bytes_to_speech(data: bytes) -> Speech:
    """PCM of a streamed WAV: espeak-ng writes 0x7fffffff as the sizes, so they're ignored."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SpeechError(f"{COMMAND} gave no WAV audio ({len(data)} bytes)")
    at, rate = 12, 0
    while at + 8 <= len(data):
        name, size = data[at : at + 4], struct.unpack("<I", data[at + 4 : at + 8])[0]
        body = at + 8
        if name == b"fmt ":
            fmt, channels, rate = struct.unpack("<HHI", data[body : body + 8])
            bits = struct.unpack("<H", data[body + 14 : body + 16])[0]
            if (fmt, channels, bits) != (1, 1, 16):
                raise SpeechError(f"{COMMAND} gave {channels}-channel {bits}-bit audio")
        elif name == b"data":
            if not rate:
                raise SpeechError(f"{COMMAND} gave a WAV without a format chunk")
            pcm = data[body:]
            return Speech(pcm[: len(pcm) // 2 * 2], rate)
        at = body + size + (size & 1)
    raise SpeechError(f"{COMMAND} gave a WAV without audio data")


class FallbackSynthesizer:
    """Each sentence from the first synthesizer that manages it; SpeechError if none does."""

    def __init__(self, chain: Sequence[Synthesizer]) -> None:
        if not chain:
            raise SpeechError("no speech synthesizer is available")
        self.chain = list(chain)
        self._warned: set[int] = set()

    def synthesize(self, text: str) -> Speech:
        failures: list[str] = []
        for index, synth in enumerate(self.chain):
            try:
                return synth.synthesize(text)
            except SpeechError as err:
                failures.append(f"{type(synth).__name__}: {err}")
                if index not in self._warned:  # once per synthesizer, not every sentence
                    self._warned.add(index)
                    log.warning("speech synthesis failed, trying the next one: %s", err)
        raise SpeechError("every speech synthesizer failed (" + "; ".join(failures) + ")")

    def configure(self, *, voice_name: str = "", rate_wpm: int, volume: float) -> None:
        for synth in self.chain:
            try:
                synth.configure(voice_name=voice_name, rate_wpm=rate_wpm, volume=volume)
            except SpeechError as err:
                log.warning("could not change the voice of %s: %s", type(synth).__name__, err)


def backed_up(primary: Synthesizer, voice_name: str, rate_wpm: int, volume: float) -> Synthesizer:
    """`primary`, then the espeak-ng command for any sentence it fails on (when installed)."""
    if isinstance(primary, EspeakCommandSynthesizer):
        return primary
    try:
        command = EspeakCommandSynthesizer(voice_name, rate_wpm, volume)
    except SpeechError as err:
        log.warning("no fallback voice: %s", err)
        return primary
    return FallbackSynthesizer([primary, command])
