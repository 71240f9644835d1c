"""Audio in: microphone and WAV sources as 16 kHz mono chunks, endpointing, earcons.

Typical use:

    source = WavSource("request.wav", realtime=True)  # or MicSource("pulse")
    endpointer = Endpointer()
    for chunk in source:
        for event in endpointer.feed(chunk):
            ...  # SpeechStarted(start_s, pcm, ...) / SpeechEnded(start_s, end_s, pcm, ...)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from voiceback.audio.devices import DeviceInfo, find_input, list_devices, rescan
from voiceback.audio.earcon import chime
from voiceback.audio.endpoint import (
    Endpointer,
    EndpointerConfig,
    EndpointEvent,
    EndReason,
    SpeechEnded,
    SpeechStarted,
)
from voiceback.audio.mic import MicSource
from voiceback.audio.wav import WavSource, read_wav
from voiceback.types import AudioChunk


class AudioSource(Protocol):
    """What the assistant listens to: WavSource and MicSource both fit."""

    def __iter__(self) -> Iterator[AudioChunk]: ...

    def close(self) -> None: ...


__all__ = [
    "AudioSource",
    "DeviceInfo",
    "EndReason",
    "EndpointEvent",
    "Endpointer",
    "EndpointerConfig",
    "MicSource",
    "SpeechEnded",
    "SpeechStarted",
    "WavSource",
    "chime",
    "find_input",
    "list_devices",
    "read_wav",
    "rescan",
]
