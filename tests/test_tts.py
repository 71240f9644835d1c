"""Speech out through the real pyttsx3 + espeak-ng, measured on the audio it makes."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import pytest
from pulse_fixtures import PulseServer

from voiceback.tts import (
    Player,
    Pyttsx3Synthesizer,
    Speech,
    read_wav_pcm,
    render,
    sentences,
    write_wav,
)
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


def _tone(seconds: float, rate_hz: int) -> Speech:
    t = np.arange(int(seconds * rate_hz)) / rate_hz
    return Speech((np.sin(2 * np.pi * 440 * t) * 8000).astype("<i2").tobytes(), rate_hz)


def test_player_plays_replies_at_any_rate_on_one_stream(pulse: PulseServer, tmp_path: Path) -> None:
    """Two 0.5 s tones (22.05 kHz, then 16 kHz, resampled) into the null sink, recorded back."""
    player = Player("pulse")
    with pulse.recording(tmp_path / "room.raw", 16_000) as recording:
        try:
            player.open()
            time.sleep(3.0)  # PulseAudio starts a new stream's audio after about 2 s
            player.play(_tone(0.5, 22_050))
            time.sleep(0.5)
            player.play(_tone(0.5, 16_000))
            time.sleep(0.5)
        finally:
            player.close()
    heard = np.frombuffer(recording.read_bytes(), "<i2").astype(np.float64)
    frames = heard[: len(heard) // 160 * 160].reshape(-1, 160)
    loud = np.sqrt(np.mean(frames**2, axis=1)) > 1000
    edges = np.flatnonzero(np.diff(loud.astype(int)))
    lengths = np.diff(edges)[::2] / 100  # loud stretches, seconds
    assert len(lengths) == 2, edges
    assert all(0.45 <= s <= 0.55 for s in lengths), lengths


def test_player_stop_cuts_a_reply_short(pulse: PulseServer) -> None:
    player = Player("pulse")
    try:
        threading.Timer(1.0, player.stop).start()
        started = time.monotonic()
        player.play(_tone(20.0, 22_050))
        assert time.monotonic() - started < 10.0
    finally:
        player.close()
