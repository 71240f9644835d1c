"""Speech out through the real pyttsx3 + espeak-ng, measured on the audio it makes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from voiceback.tts import Pyttsx3Synthesizer, Speech, read_wav_pcm, render, sentences, write_wav
from voiceback.types import SpeechError


@pytest.fixture(scope="module")
def synth() -> Pyttsx3Synthesizer:
    return Pyttsx3Synthesizer(rate_wpm=150, volume=0.9)


def rms(speech: Speech) -> float:
    samples = np.frombuffer(speech.pcm, dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2)))


def test_sentences() -> None:
    assert sentences("Breathe in. Hold it? No! Out   slowly.") == [
        "Breathe in.",
        "Hold it?",
        "No!",
        "Out   slowly.",
    ]
    assert sentences("  ") == []


def test_speaks_real_audio(synth: Pyttsx3Synthesizer) -> None:
    speech = synth.synthesize("Slow, deep breaths. You are doing well.")
    assert speech.rate_hz == 22_050
    assert 1.5 < speech.duration_s < 6.0
    assert rms(speech) > 300


def test_rate_and_volume_change_the_audio(synth: Pyttsx3Synthesizer) -> None:
    text = "Wrap the ice pack in a towel for fifteen minutes."
    normal = synth.synthesize(text)
    synth.configure(rate_wpm=100, volume=0.9)
    slow = synth.synthesize(text)
    synth.configure(rate_wpm=150, volume=0.3)
    quiet = synth.synthesize(text)
    synth.configure(rate_wpm=150, volume=0.9)
    assert slow.duration_s > normal.duration_s * 1.3
    assert rms(quiet) < rms(normal) * 0.6


def test_render_to_wav(tmp_path: Path, synth: Pyttsx3Synthesizer) -> None:
    speech = render(synth, "One. Two. Three.")
    path = tmp_path / "reply.wav"
    write_wav(path, speech)
    again = read_wav_pcm(path)
    assert again == speech
    assert not list(tmp_path.glob("*.part"))


def test_unknown_voice(synth: Pyttsx3Synthesizer) -> None:
    with pytest.raises(SpeechError, match="no espeak-ng voice called 'klingon'"):
        synth.configure(voice_name="klingon", rate_wpm=150, volume=0.9)


def test_unwritable_wav(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match="cannot write"):
        write_wav(tmp_path / "no" / "such" / "dir.wav", Speech(b"\0\0", 22_050))
